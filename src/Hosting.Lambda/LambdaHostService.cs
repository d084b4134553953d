using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Shop.Hosting.Lambda;

/// <summary>
/// The invocation loop of a custom runtime: once the host (and with it the bus, its endpoints and connections) has
/// started — once per execution environment — ask for an invocation, run its SQS records, answer, and ask again.
/// </summary>
public sealed partial class LambdaHostService(
    LambdaRuntimeClient runtime,
    SqsBatchProcessor processor,
    IHostApplicationLifetime lifetime,
    ILogger<LambdaHostService> logger) : BackgroundService
{
    const string TraceVariable = "_X_AMZN_TRACE_ID";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Hosted services start in order and the bus waits for its endpoints: after this, every receiver is in place.
        await WhenStarted(stoppingToken);
        LambdaInitErrors.Initialised();

        while (!stoppingToken.IsCancellationRequested)
        {
            LambdaInvocation invocation;
            try
            {
                invocation = await runtime.NextAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }

            // AWS asks custom runtimes to publish the trace header here, where the X-Ray SDKs look for it.
            Environment.SetEnvironmentVariable(TraceVariable, invocation.TraceId);
            try
            {
                var response = await processor.ProcessAsync(SqsEvent.Parse(invocation.Event), invocation.Deadline, stoppingToken);
                if (response.BatchItemFailures.Count > 0)
                    LogReturned(logger, invocation.RequestId, response.BatchItemFailures.Count);
                await runtime.RespondAsync(invocation.RequestId, JsonSerializer.SerializeToUtf8Bytes(response), stoppingToken);
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                // The whole batch goes back to the queue (Lambda retries it, then the redrive moves it to _error).
                LogInvocationFailed(logger, exception, invocation.RequestId);
                await runtime.ErrorAsync(invocation.RequestId, exception, stoppingToken);
            }
        }
    }

    Task WhenStarted(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        return started.Task.WaitAsync(stoppingToken);
    }

    [LoggerMessage(LogLevel.Warning, "Invocation {RequestId}: {Count} records returned to the queue")]
    static partial void LogReturned(ILogger logger, string requestId, int count);

    [LoggerMessage(LogLevel.Error, "Invocation {RequestId} failed as a whole")]
    static partial void LogInvocationFailed(ILogger logger, Exception exception, string requestId);
}
