import { randomUUID } from 'node:crypto';
import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { ZodPipe } from '../http/zod-body.pipe';
import { insertUser } from './user-store';
import { newUserToken } from './user-token';

export const CreateUserBody = z.object({ displayName: z.string().trim().min(1).max(100) });

@Controller('users')
export class UsersController {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** The token is shown here once; only its hash is kept. */
  @Post()
  @HttpCode(201)
  async create(@Body(new ZodPipe(CreateUserBody)) body: z.infer<typeof CreateUserBody>): Promise<{ userId: string; token: string }> {
    const id = randomUUID();
    const { token, hash } = newUserToken();
    await insertUser(this.db, id, body.displayName, hash);
    return { userId: id, token };
  }
}
