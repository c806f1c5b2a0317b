import { Body, Controller, Get, HttpCode, NotFoundException, Param, Post } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Invitation } from '@gc/contracts';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { connectionsOf } from '../connections/connection-store';
import { requireId } from '../http/api-ids';
import { ZodPipe } from '../http/zod-body.pipe';
import { UnitOfWork } from '../outbox/unit-of-work';
import { requireUserParam } from '../users/user-guard';
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

@Controller('users/:userId')
export class ContactsController {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly work: UnitOfWork,
  ) {}

  @Post('invitations')
  @HttpCode(202)
  async invite(@Param('userId') userId: string): Promise<{ contactId: string }> {
    // The user check is part of the one statement that writes the invitation (the hot path).
    const contactId = await this.work.runOneStatement((tx) => createContactInvitation(tx, requireId(userId, 'user')));
    if (!contactId) throw new NotFoundException(`user ${userId} not found`);
    return { contactId };
  }

  @Post('contacts')
  @HttpCode(202)
  async join(@Param('userId') userId: string, @Body(new ZodPipe(JoinContactBody)) body: z.infer<typeof JoinContactBody>) {
    const user = await requireUserParam(this.db, userId);
    return { contactId: await this.work.run((tx) => joinContact(tx, user.id, body.invitation)) };
  }

  @Get('contacts')
  async list(@Param('userId') userId: string): Promise<ContactView[]> {
    const user = await requireUserParam(this.db, userId);
    return this.views(user.id, await contactsOf(this.db, user.id));
  }

  @Get('contacts/:contactId')
  async one(@Param('userId') userId: string, @Param('contactId') contactId: string): Promise<ContactView> {
    const user = await requireUserParam(this.db, userId);
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
