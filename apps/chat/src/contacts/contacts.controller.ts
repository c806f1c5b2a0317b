import { BadRequestException, Body, Controller, Get, HttpCode, NotFoundException, Param, Post, UseGuards } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Invitation } from '@gc/contracts';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { connectionsOf } from '../connections/connection-store';
import { requireId } from '../http/api-ids';
import { ZodPipe } from '../http/zod-body.pipe';
import { checkInvitation } from '../protocol/invitation-policy';
import { UnitOfWork } from '../outbox/unit-of-work';
import { CurrentUser } from '../users/current-user.decorator';
import { UserAuthGuard } from '../users/user-auth.guard';
import { User } from '../users/user.entity';
import { Contact } from './contact.entity';
import { contactStatus, createContactInvitation, joinContact } from './contact-flow';
import { contactsOf, findContact } from './contact-store';

export const JoinContactBody = z.object({ invitation: Invitation });

export interface ContactView {
  contactId: string;
  displayName?: string;
  status: ReturnType<typeof contactStatus>;
  invitation?: string;
}

@UseGuards(UserAuthGuard)
@Controller('users/:userId')
export class ContactsController {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly work: UnitOfWork,
  ) {}

  @Post('invitations')
  @HttpCode(202)
  async invite(@CurrentUser() user: User): Promise<{ contactId: string }> {
    // The user check is part of the one statement that writes the invitation (the hot path).
    const contactId = await this.work.runOneStatement((tx) => createContactInvitation(tx, user.id));
    if (!contactId) throw new NotFoundException(`user ${user.id} not found`);
    return { contactId };
  }

  @Post('contacts')
  @HttpCode(202)
  async join(@CurrentUser() user: User, @Body(new ZodPipe(JoinContactBody)) body: z.infer<typeof JoinContactBody>) {
    const check = checkInvitation(body.invitation);
    if (!check.ok) throw new BadRequestException(`invalid body: invitation: ${check.reason}`);
    return { contactId: await this.work.run((tx) => joinContact(tx, user.id, body.invitation), { users: [user.id] }) };
  }

  @Get('contacts')
  async list(@CurrentUser() user: User): Promise<ContactView[]> {
    return this.views(user.id, await contactsOf(this.db, user.id));
  }

  @Get('contacts/:contactId')
  async one(@CurrentUser() user: User, @Param('contactId') contactId: string): Promise<ContactView> {
    const contact = await findContact(this.db, user.id, requireId(contactId, 'contact'));
    if (!contact) throw new NotFoundException(`contact ${contactId} not found`);
    return (await this.views(user.id, [contact]))[0];
  }

  private async views(userId: string, contacts: Contact[]): Promise<ContactView[]> {
    const conns = await connectionsOf(this.db, userId, contacts.map((c) => c.connId));
    const byId = new Map(conns.map((c) => [c.id, c]));
    return contacts.map((c) => {
      const conn = byId.get(c.connId)!;
      const view: ContactView = { contactId: c.id, status: contactStatus(conn) };
      if (c.displayName) view.displayName = c.displayName;
      if (conn.role === 'inviter' && conn.invitation) view.invitation = conn.invitation;
      return view;
    });
  }
}
