import pino from 'pino';

export type Logger = pino.Logger;

export function createLogger(level: pino.LevelWithSilent): Logger {
  return pino({
    level,
    base: { app: 'lti-attendance' },
    // Never log secrets that travel in launches and requests.
    redact: ['req.headers.cookie', 'req.headers.authorization', '*.ltik', '*.id_token', '*.ltiKey', '*.adminToken'],
  });
}
