import { IsInt, IsString, Max, Min } from 'class-validator';

/** Environment of the catcher process (local runs and tests only). */
export class SmtpCatcherConfig {
  @IsInt() @Min(0) @Max(65_535) SMTP_CATCHER_PORT = 1025;
  @IsInt() @Min(0) @Max(65_535) SMTP_CATCHER_HTTP_PORT = 8025;
  /** 127.0.0.1 keeps it local; 0.0.0.0 when it must be reachable from containers. */
  @IsString() SMTP_CATCHER_HOST = '127.0.0.1';
  @IsInt() @Min(1) @Max(100_000) SMTP_CATCHER_CAPACITY = 1000;
}
