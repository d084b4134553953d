namespace Shop.Testing;

public static class Eventually
{
    /// <summary>Polls until <paramref name="condition"/> holds; on timeout fails with the last observed state.</summary>
    public static async Task<T> Returns<T>(Func<Task<T>> probe, Func<T, bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var value = await probe();
            if (condition(value))
                return value;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Timed out waiting for {what}; last value: {value}");
            await Task.Delay(100);
        }
    }

    /// <summary>Waits the whole <paramref name="period"/> and fails if <paramref name="probe"/> ever becomes non-zero.</summary>
    public static async Task StaysZero(Func<Task<int>> probe, TimeSpan period, string what)
    {
        var deadline = DateTime.UtcNow + period;
        while (DateTime.UtcNow < deadline)
        {
            var value = await probe();
            if (value != 0)
                throw new Xunit.Sdk.XunitException($"Expected no {what}, found {value}.");
            await Task.Delay(100);
        }
    }
}
