// The component logger names each line for the class that injected it, as the root logger's child.
import { Inject, Injectable } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { pino, type Logger } from 'pino';
import { COMPONENT_LOGGER, componentLoggerProvider, LOGGER } from './logger.js';

@Injectable()
class FirstComponent {
  constructor(@Inject(COMPONENT_LOGGER) readonly logger: Logger) {}
}

@Injectable()
class SecondComponent {
  constructor(@Inject(COMPONENT_LOGGER) readonly logger: Logger) {}
}

test('each class that injects COMPONENT_LOGGER logs under its own class name through the root logger', async () => {
  const lines: Array<Record<string, unknown>> = [];
  const root = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  const moduleRef = await Test.createTestingModule({
    providers: [{ provide: LOGGER, useValue: root }, componentLoggerProvider, FirstComponent, SecondComponent],
  }).compile();
  moduleRef.get(FirstComponent).logger.info('from the first');
  moduleRef.get(SecondComponent).logger.warn('from the second');
  expect(lines.map(({ component, msg }) => ({ component, msg }))).toEqual([
    { component: 'FirstComponent', msg: 'from the first' },
    { component: 'SecondComponent', msg: 'from the second' },
  ]);
  await moduleRef.close();
});
