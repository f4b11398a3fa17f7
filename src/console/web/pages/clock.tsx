import { useState } from "preact/hooks";
import { advanceClock, getClock } from "../admin-api.ts";
import { ErrorBox } from "../components.tsx";
import { useLoad } from "../hooks.ts";

export const CLOCK_MOVED = "hyperlocal:clock-moved";

export const STEPS: { label: string; body: Record<string, number> }[] = [
  { label: "+1 minute", body: { minutes: 1 } },
  { label: "+20 minutes", body: { minutes: 20 } },
  { label: "+1 day", body: { days: 1 } },
  { label: "+30 days", body: { days: 30 } },
];

/** The simulated time every timed behaviour follows; the buttons move it forward. */
export function ClockPage() {
  const clock = useLoad(getClock, [], 1000);
  const [error, setError] = useState<unknown>(undefined);
  return (
    <section aria-labelledby="clock-title">
      <h1 id="clock-title">Clock</h1>
      <p class="hint">
        hyperlocal's simulated clock: real time plus an offset. Advance it to watch a function go from Pending to Active, ENIs released 20 minutes after their last
        function left, or a function going Inactive after 30 idle days.
      </p>
      <ErrorBox error={clock.error ?? error} />
      {clock.data ? (
        <dl class="summary">
          <dt>Simulated time</dt>
          <dd data-testid="clock-now">{clock.data.now}</dd>
          <dt>Ahead of real time by</dt>
          <dd>{formatOffset(clock.data.offsetMs)}</dd>
        </dl>
      ) : null}
      <ClockButtons onAdvanced={clock.reload} onError={setError} />
    </section>
  );
}

export function ClockButtons({ onAdvanced, onError }: { onAdvanced?: () => void; onError?: (e: unknown) => void }) {
  return (
    <div class="actions" role="group" aria-label="Advance the simulated clock">
      {STEPS.map((s) => (
        <button
          key={s.label}
          onClick={() =>
            advanceClock(s.body).then(
              () => {
                // The header's clock (and anything else showing time) refreshes at once.
                dispatchEvent(new Event(CLOCK_MOVED));
                onAdvanced?.();
              },
              (e) => onError?.(e),
            )
          }
        >
          {s.label}
        </button>
      ))}
    </div>
  );
}

export function formatOffset(ms: number): string {
  const days = Math.floor(ms / 86_400_000);
  const hours = Math.floor((ms % 86_400_000) / 3_600_000);
  const minutes = Math.floor((ms % 3_600_000) / 60_000);
  return `${days} days, ${hours} hours, ${minutes} minutes`;
}
