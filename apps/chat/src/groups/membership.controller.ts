import { ConflictException, Controller, Delete, ForbiddenException, HttpCode, NotFoundException, Param, Post, UseGuards } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { requireId } from '../http/api-ids';
import { lockGroup, lockMember } from '../members/group-store';
import { Group } from '../members/group.entity';
import { hasDeparted } from '../members/member.entity';
import { ChatTx } from '../outbox/chat-tx';
import { UnitOfWork } from '../outbox/unit-of-work';
import { CurrentUser } from '../users/current-user.decorator';
import { UserAuthGuard } from '../users/user-auth.guard';
import { User } from '../users/user.entity';
import { leaveGroup, removeMember } from './departure-flow';

/** The API: removing a member (the host) and leaving a group (a member). */
@UseGuards(UserAuthGuard)
@Controller('users/:userId/groups/:groupId')
export class MembershipController {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly work: UnitOfWork,
  ) {}

  @Delete('members/:memberId')
  @HttpCode(202)
  async remove(@CurrentUser() user: User, @Param('groupId') groupId: string, @Param('memberId') memberId: string): Promise<Record<string, never>> {
    const gid = requireId(groupId, 'group');
    const mid = requireId(memberId, 'member');
    await this.work.run(async (tx) => {
      const group = await this.lockGroup(tx, user.id, gid);
      if (group.hostMemberId !== group.selfMemberId) throw new ForbiddenException('only the host removes members from this group');
      const member = await lockMember(tx, user.id, gid, mid);
      if (!member || member.isSelf) throw new NotFoundException(`member ${memberId} not found`);
      // A member that departed already is gone: removing it again changes nothing.
      await removeMember(tx, group, member);
    }, { users: [user.id] });
    return {};
  }

  @Post('leave')
  @HttpCode(202)
  async leave(@CurrentUser() user: User, @Param('groupId') groupId: string): Promise<Record<string, never>> {
    const gid = requireId(groupId, 'group');
    await this.work.run(async (tx) => {
      const group = await this.lockGroup(tx, user.id, gid);
      if (group.hostMemberId === group.selfMemberId) throw new ConflictException('the host cannot leave its own group');
      const self = await lockMember(tx, user.id, gid, group.selfMemberId);
      if (!self) throw new Error(`group ${gid} of user ${user.id} has no self member`);
      if (hasDeparted(self.status)) return;
      await leaveGroup(tx, group);
    }, { users: [user.id] });
    return {};
  }

  private async lockGroup(tx: ChatTx, userId: string, groupId: string): Promise<Group> {
    const group = await lockGroup(tx, userId, groupId);
    if (!group) throw new NotFoundException(`group ${groupId} not found`);
    return group;
  }
}
