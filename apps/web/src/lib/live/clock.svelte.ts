/** A clock rune that ticks once a second while something shows a countdown. */
export class Clock {
  now = $state(Date.now());
  private readonly timer: ReturnType<typeof setInterval>;
  constructor() {
    this.timer = setInterval(() => (this.now = Date.now()), 1000);
  }
  stop(): void {
    clearInterval(this.timer);
  }
}

/** Milliseconds as m:ss, with a leading minus for overtime. */
export function formatCountdown(ms: number): string {
  const sign = ms < 0 ? '−' : '';
  const total = Math.floor(Math.abs(ms) / 1000);
  const minutes = Math.floor(total / 60);
  const seconds = total % 60;
  return `${sign}${minutes}:${String(seconds).padStart(2, '0')}`;
}
