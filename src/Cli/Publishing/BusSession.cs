using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Shop.Cli.Configuration;
using Shop.Messaging;

namespace Shop.Cli.Publishing;

/// <summary>
/// A bus with no receive endpoints of its own, set up by the same <c>AddShopMessaging</c> as the services, so what the
/// CLI publishes or sends is on the wire exactly what a service would put there (envelope, topology, SQS attributes).
/// </summary>
public sealed class BusSession : IAsyncDisposable
{
    readonly ServiceProvider _services;

    BusSession(ServiceProvider services, IBusControl bus)
    {
        _services = services;
        Bus = bus;
    }

    public IBus Bus { get; }

    public static async Task<BusSession> StartAsync(BusConnection connection, TextWriter log, CancellationToken cancellationToken)
    {
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning).AddProvider(new TextWriterLoggerProvider(log)));
        services.AddShopMessaging(connection.Configuration, _ => { });
        var provider = services.BuildServiceProvider();
        var bus = provider.GetRequiredService<IBusControl>();
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(connection.Options.StartTimeout);
            await bus.StartAsync(timeout.Token);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            await provider.DisposeAsync();
            throw new CliException(ExitCodes.Failure,
                $"the {connection.Options.Transport} bus could not be reached: {exception.GetBaseException().Message}", exception);
        }

        return new BusSession(provider, bus);
    }

    public async ValueTask DisposeAsync()
    {
        await ((IBusControl)Bus).StopAsync(TimeSpan.FromSeconds(30));
        await _services.DisposeAsync();
    }
}

/// <summary>The bus's warnings and errors, one line each, on the CLI's error writer (never on its output).</summary>
sealed class TextWriterLoggerProvider(TextWriter writer) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new Logger(writer);

    public void Dispose()
    {
    }

    sealed class Logger(TextWriter writer) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
                writer.WriteLine($"{logLevel.ToString().ToLowerInvariant()}: {formatter(state, exception)}");
        }
    }
}
