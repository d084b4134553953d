using System.Diagnostics;

namespace Shop.Testing;

/// <summary>
/// Every wait of the suite: it ends when a condition holds or a signal fires, never after a fixed time, and fails
/// with what it last saw when the timeout passes. Timeouts are generous because a wait that succeeds ends at once and
/// the suite must hold on a machine with both cores busy. Also compiled into tests/Faults, so it needs nothing but
/// the runtime.
/// </summary>
public static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    static readonly TimeSpan ShortestPause = TimeSpan.FromMilliseconds(100);
    static readonly TimeSpan LongestPause = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// Looks at <paramref name="probe"/> until <paramref name="condition"/> holds and returns the value that met it.
    /// Between looks it pauses until <paramref name="wakeOn"/> (taken before each look, so no change is missed)
    /// completes, or else a tenth of the time waited so far (0.1–0.5 s): a wait that has lasted long costs the
    /// loaded machine little, and a condition that comes true is seen within a tenth of the wait.
    /// </summary>
    public static async Task<T> Returns<T>(Func<Task<T>> probe, Func<T, bool> condition, string what, TimeSpan? timeout = null,
        Func<T, string>? describe = null, Func<Task>? wakeOn = null)
    {
        var limit = timeout ?? DefaultTimeout;
        var waited = Stopwatch.StartNew();
        while (true)
        {
            var changed = wakeOn?.Invoke();
            var value = await probe();
            if (condition(value))
                return value;
            if (waited.Elapsed > limit)
                throw new TimeoutException($"Timed out after {limit} waiting for {what}; last seen: {describe?.Invoke(value) ?? value?.ToString()}");

            var pause = Task.Delay(Clamp(waited.Elapsed / 10));
            await (changed is null ? pause : Task.WhenAny(changed, pause));
        }
    }

    /// <summary>Waits until <paramref name="condition"/> holds; <paramref name="state"/> says what was seen, for the failure.</summary>
    public static Task Until(Func<Task<bool>> condition, string what, TimeSpan? timeout = null, Func<string>? state = null,
        Func<Task>? wakeOn = null) =>
        Returns(condition, holds => holds, what, timeout, state is null ? null : _ => state(), wakeOn);

    /// <inheritdoc cref="Until(Func{Task{bool}}, string, TimeSpan?, Func{string}?, Func{Task}?)"/>
    public static Task Until(Func<bool> condition, string what, TimeSpan? timeout = null, Func<string>? state = null,
        Func<Task>? wakeOn = null) =>
        Until(() => Task.FromResult(condition()), what, timeout, state, wakeOn);

    /// <summary>
    /// Waits for a signal: a task that completes when the awaited thing happens (a TaskCompletionSource the code under
    /// test sets, a process exit); nothing is polled.
    /// </summary>
    public static async Task<T> Completes<T>(Task<T> signal, string what, TimeSpan? timeout = null, Func<string>? state = null)
    {
        await Completes((Task)signal, what, timeout, state);
        return await signal;
    }

    /// <inheritdoc cref="Completes{T}(Task{T}, string, TimeSpan?, Func{string}?)"/>
    public static async Task Completes(Task signal, string what, TimeSpan? timeout = null, Func<string>? state = null)
    {
        var limit = timeout ?? DefaultTimeout;
        try
        {
            await signal.WaitAsync(limit);
        }
        catch (TimeoutException) when (!signal.IsCompleted)
        {
            throw new TimeoutException($"Timed out after {limit} waiting for {what}{(state is null ? "" : $"; last seen: {state()}")}");
        }
    }

    static TimeSpan Clamp(TimeSpan pause) => pause < ShortestPause ? ShortestPause : pause > LongestPause ? LongestPause : pause;
}
