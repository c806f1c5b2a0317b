import { ChatTx } from '../commands/chat-tx';
import { User } from './user.entity';

export async function requireUser(tx: ChatTx, userId: string): Promise<User> {
  const user = await tx.em.findOne(User, { where: { id: userId } });
  if (!user) throw new Error(`user ${userId} vanished`);
  return user;
}
