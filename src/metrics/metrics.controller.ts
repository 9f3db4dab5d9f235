// GET /metrics: Prometheus text, outside /api and unauthenticated (scrape it from inside your network).
import { Controller, Get, Header } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiAnswers } from '../common/api-docs.dto.js';
import { MetricsService } from './metrics.service.js';

@ApiTags('health')
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  @ApiOperation({ summary: 'Prometheus metrics: executions by status and agent, durations, queue depth, webhook requests, credits spent' })
  @ApiAnswers({
    status: 200,
    schema: { type: 'string', example: 'trellis_executions_total{status="COMPLETED"} 42' },
    contentType: 'text/plain',
    description: 'Prometheus text format 0.0.4',
  })
  render(): Promise<string> {
    return this.metrics.render();
  }
}
