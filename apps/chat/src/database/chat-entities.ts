import { Command } from '../outbox/command.entity';
import { Connection } from '../connections/connection.entity';
import { Contact } from '../contacts/contact.entity';
import { Group } from '../members/group.entity';
import { Introduction } from '../members/introduction.entity';
import { Member } from '../members/member.entity';
import { GroupMessage } from '../group-messages/group-message.entity';
import { PendingDelivery } from '../group-messages/pending-delivery.entity';
import { ReceivedMessage } from '../inbox/received-message.entity';
import { User } from '../users/user.entity';
import { ChatSchema1764100000000 } from './migrations/1764100000000-ChatSchema';
import { GroupInvitedVia1764100000001 } from './migrations/1764100000001-GroupInvitedVia';
import { CommandExecutions1764100000002 } from './migrations/1764100000002-CommandExecutions';
import { ConnectionStatusChecks1764100000003 } from './migrations/1764100000003-ConnectionStatusChecks';
import { MemberInvitedViaContact1764100000004 } from './migrations/1764100000004-MemberInvitedViaContact';

export const CHAT_SCHEMA = 'chat';
export const CHAT_ENTITIES = [User, Connection, Contact, Group, Member, Introduction, GroupMessage, PendingDelivery, ReceivedMessage, Command];
export const CHAT_MIGRATIONS = [ChatSchema1764100000000, GroupInvitedVia1764100000001, CommandExecutions1764100000002, ConnectionStatusChecks1764100000003, MemberInvitedViaContact1764100000004];
