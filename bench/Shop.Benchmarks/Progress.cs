using System.Diagnostics;

namespace Shop.Benchmarks;

/// <summary>A one-line progress display, rewritten in place about four times a second.</summary>
public sealed class Progress(string label, int total) : IDisposable
{
    readonly Stopwatch _watch = Stopwatch.StartNew();
    long _lastDraw;

    public void Report(long done)
    {
        var now = _watch.ElapsedMilliseconds;
        if (now - Interlocked.Read(ref _lastDraw) < 250 && done < total)
            return;
        Interlocked.Exchange(ref _lastDraw, now);
        var rate = done / Math.Max(_watch.Elapsed.TotalSeconds, 0.001);
        if (Console.IsErrorRedirected && done < total)
            return;
        Console.Error.Write($"\r  {label,-34} {done,8}/{total,-8} {rate,10:N0}/s   ");
    }

    public void Dispose() => Console.Error.WriteLine();
}
