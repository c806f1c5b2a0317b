import { randomUUID } from 'node:crypto';
import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { ZodPipe } from '../http/zod-body.pipe';
import { insertUser } from './user-store';

export const CreateUserBody = z.object({ displayName: z.string().trim().min(1).max(100) });

@Controller('users')
export class UsersController {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  @Post()
  @HttpCode(201)
  async create(@Body(new ZodPipe(CreateUserBody)) body: z.infer<typeof CreateUserBody>): Promise<{ userId: string }> {
    const id = randomUUID();
    await insertUser(this.db, id, body.displayName);
    return { userId: id };
  }
}
