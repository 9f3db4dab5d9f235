import { Module } from '@nestjs/common';
import { BlocksController } from './blocks.controller.js';
import { BlocksModule } from './blocks.module.js';

/** The api role's part: /api/blocks. */
@Module({
  imports: [BlocksModule],
  controllers: [BlocksController],
})
export class BlocksHttpModule {}
