import { randomUUID } from 'node:crypto';
import { BadRequestException, Body, ConflictException, Controller, Get, HttpCode, NotFoundException, Param, Post, Query, UseGuards } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { connectionsOf, findConnection } from '../connections/connection-store';
import { contactStatus } from '../contacts/contact-flow';
import { findContact } from '../contacts/contact-store';
import { messagesOf } from '../group-messages/group-message-store';
import { sendGroupMessage } from '../group-messages/group-messaging';
import { requireId } from '../http/api-ids';
import { PageQuery } from '../http/page-query';
import { ZodPipe } from '../http/zod-body.pipe';
import { activeMemberInvitedVia, createHostedGroup, findGroup, findMember, groupsOf, lockGroup, otherMembersOf } from '../members/group-store';
import { Group } from '../members/group.entity';
import { UnitOfWork } from '../outbox/unit-of-work';
import { CurrentUser } from '../users/current-user.decorator';
import { UserAuthGuard } from '../users/user-auth.guard';
import { User } from '../users/user.entity';
import { addMember } from './host-flow';
import { joinGroup } from './member-flow';

export const CreateGroupBody = z.object({ name: z.string().trim().min(1).max(100) });
export const AddMemberBody = z.object({ contactId: z.string().min(1).max(64) });
export const SendMessageBody = z.object({ text: z.string().min(1).max(16_384) });
export const MessagesQuery = PageQuery.strict();

@UseGuards(UserAuthGuard)
@Controller('users/:userId/groups')
export class GroupsController {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly work: UnitOfWork,
  ) {}

  @Post()
  @HttpCode(201)
  async create(@CurrentUser() user: User, @Body(new ZodPipe(CreateGroupBody)) body: z.infer<typeof CreateGroupBody>) {
    const groupId = randomUUID();
    await this.work.run((tx) => createHostedGroup(tx, { userId: user.id, id: groupId, name: body.name, selfMemberId: randomUUID() }, user.displayName), { users: [user.id] });
    return { groupId };
  }

  @Get()
  async list(@CurrentUser() user: User) {
    return (await groupsOf(this.db, user.id)).map(({ group, membership }) => ({
      groupId: group.id,
      name: group.name,
      membership: membership ?? 'invited',
      hostMemberId: group.hostMemberId,
    }));
  }

  @Post(':groupId/members')
  @HttpCode(202)
  async addMember(
    @CurrentUser() user: User,
    @Param('groupId') groupId: string,
    @Body(new ZodPipe(AddMemberBody)) body: z.infer<typeof AddMemberBody>,
  ): Promise<{ memberId: string }> {
    const gid = requireId(groupId, 'group');
    const contactId = requireId(body.contactId, 'contact');
    const memberId = await this.work.run(async (tx) => {
      const group = await lockGroup(tx, user.id, gid);
      if (!group) throw new NotFoundException(`group ${groupId} not found`);
      if (group.hostMemberId !== group.selfMemberId) throw new ConflictException('only the host adds members to this group');
      const contact = await findContact(tx.em, user.id, contactId);
      if (!contact) throw new NotFoundException(`contact ${body.contactId} not found`);
      const conn = await findConnection(tx, user.id, contact.connId);
      const status = conn ? contactStatus(conn) : 'failed';
      if (status !== 'connected') throw new ConflictException(`contact ${contact.id} is not connected (${status})`);
      if (await activeMemberInvitedVia(tx.em, user.id, group.id, contact.id)) throw new ConflictException(`contact ${contact.id} is already a member of this group`);
      return addMember(tx, group, contact);
    }, { users: [user.id] });
    return { memberId };
  }

  @Post(':groupId/join')
  @HttpCode(202)
  async join(@CurrentUser() user: User, @Param('groupId') groupId: string): Promise<Record<string, never>> {
    const gid = requireId(groupId, 'group');
    await this.work.run(async (tx) => {
      const group = await lockGroup(tx, user.id, gid);
      if (!group) throw new NotFoundException(`group ${groupId} not found`);
      if (!(await joinGroup(tx, group))) throw new ConflictException('this group has no pending invitation to join');
    }, { users: [user.id] });
    return {};
  }

  @Get(':groupId/members')
  async members(@CurrentUser() user: User, @Param('groupId') groupId: string) {
    const group = await this.requireGroup(user.id, groupId);
    const members = await otherMembersOf(this.db, user.id, group.id);
    const conns = await connectionsOf(this.db, user.id, members.map((m) => m.connId).filter((c): c is string => !!c));
    const up = new Set(conns.filter((c) => c.stage === 'connected').map((c) => c.id));
    return members.map((m) => ({
      memberId: m.id,
      displayName: m.displayName,
      status: m.status,
      connected: !!m.connId && up.has(m.connId),
      ...(m.failureReason ? { failureReason: m.failureReason } : {}),
    }));
  }

  @Post(':groupId/messages')
  @HttpCode(202)
  async send(
    @CurrentUser() user: User,
    @Param('groupId') groupId: string,
    @Body(new ZodPipe(SendMessageBody)) body: z.infer<typeof SendMessageBody>,
  ): Promise<{ messageId: string }> {
    const gid = requireId(groupId, 'group');
    const messageId = await this.work.run(async (tx) => {
      const group = await findGroup(tx.em, user.id, gid);
      if (!group) throw new NotFoundException(`group ${groupId} not found`);
      const self = await findMember(tx, user.id, gid, group.selfMemberId);
      if (!self) throw new Error(`group ${gid} of user ${user.id} has no self member`);
      if (self.status !== 'connected') throw new ConflictException(`cannot send to a group while ${self.status}`);
      return sendGroupMessage(tx, group, body.text);
    }, { users: [user.id] });
    return { messageId };
  }

  @Get(':groupId/messages')
  async messages(@CurrentUser() user: User, @Param('groupId') groupId: string, @Query(new ZodPipe(MessagesQuery, 'query')) query: z.infer<typeof MessagesQuery>) {
    const group = await this.requireGroup(user.id, groupId);
    const page = await messagesOf(this.db, user.id, group.id, query);
    if (!page) throw new BadRequestException(`invalid query: after: ${query.after} is not a message of this group`);
    return page.map((m) => ({ messageId: m.id, fromMemberId: m.fromMemberId, text: m.text, at: m.at.toISOString() }));
  }

  private async requireGroup(userId: string, groupId: string): Promise<Group> {
    const group = await findGroup(this.db, userId, requireId(groupId, 'group'));
    if (!group) throw new NotFoundException(`group ${groupId} not found`);
    return group;
  }
}
