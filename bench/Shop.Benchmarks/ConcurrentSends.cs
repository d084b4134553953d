namespace Shop.Benchmarks;

/// <summary>The load of the throughput scenarios: a number of sends, a fixed number of them in flight at any time.</summary>
public static class ConcurrentSends
{
    public static async Task Run(int count, int inFlight, Func<Task> send)
    {
        using var window = new SemaphoreSlim(inFlight);
        var sends = new List<Task>(count);
        for (var i = 0; i < count; i++)
        {
            await window.WaitAsync();
            sends.Add(SendOne());
        }

        await Task.WhenAll(sends);

        async Task SendOne()
        {
            try
            {
                await send();
            }
            finally
            {
                window.Release();
            }
        }
    }
}
