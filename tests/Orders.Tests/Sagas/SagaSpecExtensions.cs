using MassTransit.Testing;

namespace Shop.Orders.Tests.Sagas;

static class SagaSpecExtensions
{
    public static async Task<T> SentMessage<T>(this ITestHarness harness, Func<T, bool> match) where T : class
    {
        Assert.True(await harness.Sent.Any<T>(x => match(x.Context.Message)), $"Expected a {typeof(T).Name} to be sent.");
        return harness.Sent.Select<T>(x => match(x.Context.Message)).First().Context.Message;
    }

    public static async Task<T> PublishedMessage<T>(this ITestHarness harness, Func<T, bool> match) where T : class
    {
        Assert.True(await harness.Published.Any<T>(x => match(x.Context.Message)), $"Expected a {typeof(T).Name} to be published.");
        return harness.Published.Select<T>(x => match(x.Context.Message)).First().Context.Message;
    }

    public static int SentCount<T>(this ITestHarness harness, Func<T, bool> match) where T : class =>
        harness.Sent.Select<T>(x => match(x.Context.Message)).Count();

    public static int PublishedCount<T>(this ITestHarness harness, Func<T, bool> match) where T : class =>
        harness.Published.Select<T>(x => match(x.Context.Message)).Count();

    public static Task WaitUntilConsumed<T>(this ITestHarness harness, Func<T, bool> match, int count) where T : class =>
        Shop.Testing.Eventually.Returns(() => Task.FromResult(harness.Consumed.Select<T>(x => match(x.Context.Message)).Count()),
            n => n >= count, $"{count} {typeof(T).Name} consumed", TimeSpan.FromSeconds(10));
}
