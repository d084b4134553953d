using System.Text.Json;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Shop.Messaging.Tests.Components;
using Shop.Messaging.Tests.Infrastructure;
using Shop.Testing;
using Xunit;

namespace Shop.Messaging.Tests;

public sealed class When_a_consumer_fails(TestEnvironment environment) : IClassFixture<TestEnvironment>
{
    [Fact]
    public async Task Should_succeed_after_failing_transiently_twice()
    {
        await using var host = await ShopTestHost.Start(environment);
        const string key = "flaky-twice";

        await host.Bus.Publish(new FlakyWork(key, FailTimes: 2));

        await Eventually.Returns(async () =>
        {
            await using var db = environment.CreateDbContext();
            return await db.Effects.CountAsync(e => e.Key == key);
        }, n => n == 1, "the effect of the third attempt");
        Assert.Equal(3, host.Attempts.Of(key));
    }

    [Fact]
    public async Task Should_retry_then_redeliver_then_move_a_persistent_failure_to_the_error_queue_with_a_fault()
    {
        await using var host = await ShopTestHost.Start(environment);
        const string key = "doomed";

        await host.Bus.Publish(new DoomedWork(key));

        var fault = (await host.Observed.WaitFor<Fault<DoomedWork>>(f => f.Message.Key == key, timeout: TimeSpan.FromSeconds(30))).Single();
        Assert.Contains("still down", fault.Exceptions.Single().Message);

        // 1 + 3 immediate retries, for the first delivery and each of the 2 redeliveries.
        Assert.Equal(12, host.Attempts.Of(key));

        var errored = await ErrorQueueMessage("doomed-work_error");
        var headers = errored.GetProperty("properties").GetProperty("headers");
        Assert.Equal(typeof(TransientException).FullName, headers.GetProperty("MT-Fault-ExceptionType").GetString());
        Assert.Contains("still down", headers.GetProperty("MT-Fault-Message").GetString());
        Assert.Equal(2, headers.GetProperty("MT-Redelivery-Count").GetInt32());
    }

    [Fact]
    public async Task Should_send_a_non_transient_failure_straight_to_the_error_queue()
    {
        await using var host = await ShopTestHost.Start(environment);
        const string key = "broken";

        await host.Bus.Publish(new BrokenWork(key));

        await host.Observed.WaitFor<Fault<BrokenWork>>(f => f.Message.Key == key, timeout: TimeSpan.FromSeconds(20));
        Assert.Equal(1, host.Attempts.Of(key));
        var errored = await ErrorQueueMessage("broken-work_error");
        Assert.Equal(typeof(InvalidOperationException).FullName,
            errored.GetProperty("properties").GetProperty("headers").GetProperty("MT-Fault-ExceptionType").GetString());
    }

    async Task<JsonElement> ErrorQueueMessage(string queue)
    {
        var messages = await Eventually.Returns(() => environment.Management.GetMessages(environment.VirtualHost, queue), m => m.Count > 0,
            $"a message in {queue}");
        return messages.Single();
    }
}
