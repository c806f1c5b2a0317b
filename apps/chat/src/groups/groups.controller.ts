import { randomUUID } from 'node:crypto';
import { Body, ConflictException, Controller, Get, HttpCode, NotFoundException, Param, Post } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In } from 'typeorm';
import { z } from 'zod';
import { UnitOfWork } from '../commands/unit-of-work';
import { Connection } from '../connections/connection.entity';
import { Contact } from '../contacts/contact.entity';
import { contactStatus } from '../contacts/contact-flow';
import { requireId } from '../http/api-ids';
import { ZodPipe } from '../http/zod-body.pipe';
import { GroupMessage } from '../messages/group-message.entity';
import { sendGroupMessage } from '../messages/group-messaging';
import { requireUserParam } from '../users/user-guard';
import { Group } from './group.entity';
import { lockGroup } from './group-store';
import { addMember } from './host-flow';
import { Member } from './member.entity';
import { joinGroup } from './member-flow';

export const CreateGroupBody = z.object({ name: z.string().trim().min(1).max(100) });
export const AddMemberBody = z.object({ contactId: z.string().min(1).max(64) });
export const SendMessageBody = z.object({ text: z.string().min(1).max(16_384) });

@Controller('users/:userId/groups')
export class GroupsController {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly work: UnitOfWork,
  ) {}

  @Post()
  @HttpCode(201)
  async create(@Param('userId') userId: string, @Body(new ZodPipe(CreateGroupBody)) body: z.infer<typeof CreateGroupBody>) {
    const user = await requireUserParam(this.db.manager, userId);
    const groupId = randomUUID();
    const selfId = randomUUID();
    await this.db.transaction(async (em) => {
      await em.insert(Group, {
        userId: user.id,
        id: groupId,
        name: body.name,
        hostMemberId: selfId,
        selfMemberId: selfId,
        invitation: null,
        invitedViaConnId: null,
      });
      await em.insert(Member, {
        userId: user.id,
        groupId,
        id: selfId,
        displayName: user.displayName,
        isSelf: true,
        isHost: true,
        status: 'connected',
        connId: null,
        directConnId: null,
        failureReason: null,
      });
    });
    return { groupId };
  }

  @Get()
  async list(@Param('userId') userId: string) {
    const user = await requireUserParam(this.db.manager, userId);
    const groups = await this.db.manager.find(Group, { where: { userId: user.id }, order: { createdAt: 'ASC' } });
    const selves = groups.length
      ? await this.db.manager.find(Member, { where: { userId: user.id, id: In(groups.map((g) => g.selfMemberId)) } })
      : [];
    const status = new Map(selves.map((m) => [`${m.groupId}/${m.id}`, m.status]));
    return groups.map((g) => ({
      groupId: g.id,
      name: g.name,
      membership: status.get(`${g.id}/${g.selfMemberId}`) ?? 'invited',
      hostMemberId: g.hostMemberId,
    }));
  }

  @Post(':groupId/members')
  @HttpCode(202)
  async addMember(
    @Param('userId') userId: string,
    @Param('groupId') groupId: string,
    @Body(new ZodPipe(AddMemberBody)) body: z.infer<typeof AddMemberBody>,
  ): Promise<{ memberId: string }> {
    const user = await requireUserParam(this.db.manager, userId);
    const gid = requireId(groupId, 'group');
    const contactId = requireId(body.contactId, 'contact');
    const memberId = await this.work.run(async (tx) => {
      const group = await lockGroup(tx, user.id, gid);
      if (!group) throw new NotFoundException(`group ${groupId} not found`);
      if (group.hostMemberId !== group.selfMemberId) throw new ConflictException('only the host adds members to this group');
      const contact = await tx.em.findOne(Contact, { where: { userId: user.id, id: contactId } });
      if (!contact) throw new NotFoundException(`contact ${body.contactId} not found`);
      const conn = await tx.em.findOneByOrFail(Connection, { id: contact.connId });
      const status = contactStatus(conn);
      if (status !== 'connected') throw new ConflictException(`contact ${contact.id} is not connected (${status})`);
      const already: unknown[] = await tx.em.query(
        `SELECT 1 FROM commands k JOIN members m
            ON m.user_id = k.user_id AND m.group_id::text = k.continuation->>'groupId' AND m.id::text = k.continuation->>'memberId'
          WHERE k.user_id = $1 AND k.function = 'CREATE_GROUP_MEMBER_INVITATION' AND k.continuation->>'groupId' = $2
            AND k.continuation->>'contactId' = $3 AND m.status <> 'failed' LIMIT 1`,
        [user.id, group.id, contact.id],
      );
      if (already.length > 0) throw new ConflictException(`contact ${contact.id} is already a member of this group`);
      return addMember(tx, group, contact);
    });
    return { memberId };
  }

  @Post(':groupId/join')
  @HttpCode(202)
  async join(@Param('userId') userId: string, @Param('groupId') groupId: string): Promise<Record<string, never>> {
    const user = await requireUserParam(this.db.manager, userId);
    const gid = requireId(groupId, 'group');
    await this.work.run(async (tx) => {
      const group = await lockGroup(tx, user.id, gid);
      if (!group) throw new NotFoundException(`group ${groupId} not found`);
      if (!(await joinGroup(tx, group))) throw new ConflictException('this group has no pending invitation to join');
    });
    return {};
  }

  @Get(':groupId/members')
  async members(@Param('userId') userId: string, @Param('groupId') groupId: string) {
    const user = await requireUserParam(this.db.manager, userId);
    const group = await this.requireGroup(user.id, groupId);
    const members = await this.db.manager.find(Member, { where: { userId: user.id, groupId: group.id, isSelf: false }, order: { createdAt: 'ASC' } });
    const connIds = members.map((m) => m.connId).filter((c): c is string => !!c);
    const conns = connIds.length ? await this.db.manager.find(Connection, { where: { id: In(connIds) } }) : [];
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
    @Param('userId') userId: string,
    @Param('groupId') groupId: string,
    @Body(new ZodPipe(SendMessageBody)) body: z.infer<typeof SendMessageBody>,
  ): Promise<{ messageId: string }> {
    const user = await requireUserParam(this.db.manager, userId);
    const gid = requireId(groupId, 'group');
    const messageId = await this.work.run(async (tx) => {
      const group = await tx.em.findOne(Group, { where: { userId: user.id, id: gid } });
      if (!group) throw new NotFoundException(`group ${groupId} not found`);
      const self = await tx.em.findOneOrFail(Member, { where: { userId: user.id, groupId: gid, id: group.selfMemberId } });
      if (self.status !== 'connected') throw new ConflictException(`cannot send to a group while ${self.status}`);
      return sendGroupMessage(tx, group, body.text);
    });
    return { messageId };
  }

  @Get(':groupId/messages')
  async messages(@Param('userId') userId: string, @Param('groupId') groupId: string) {
    const user = await requireUserParam(this.db.manager, userId);
    const group = await this.requireGroup(user.id, groupId);
    const rows = await this.db.manager.find(GroupMessage, { where: { userId: user.id, groupId: group.id }, order: { at: 'ASC' } });
    return rows.map((m) => ({ messageId: m.id, fromMemberId: m.fromMemberId, text: m.text, at: m.at.toISOString() }));
  }

  private async requireGroup(userId: string, groupId: string): Promise<Group> {
    const group = await this.db.manager.findOne(Group, { where: { userId, id: requireId(groupId, 'group') } });
    if (!group) throw new NotFoundException(`group ${groupId} not found`);
    return group;
  }
}
