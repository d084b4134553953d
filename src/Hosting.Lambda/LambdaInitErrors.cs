namespace Shop.Hosting.Lambda;

/// <summary>
/// A worker that fails before its first invocation (configuration, migrations, the bus) must tell the Runtime API
/// through the init-error call, or Lambda only sees a process that exited. Whatever goes unhandled before the invocation
/// loop starts is reported there, once, before the process ends.
/// </summary>
public static class LambdaInitErrors
{
    static LambdaRuntimeClient? _runtime;
    static int _done;

    public static void Watch(LambdaRuntimeClient runtime)
    {
        if (Interlocked.CompareExchange(ref _runtime, runtime, null) is not null) return;
        AppDomain.CurrentDomain.UnhandledException += (_, e) =>
        {
            if (e.ExceptionObject is Exception exception)
                Report(exception);
        };
    }

    /// <summary>The invocation loop has started: later failures belong to invocations, not to initialisation.</summary>
    public static void Initialised() => Interlocked.Exchange(ref _done, 1);

    /// <returns>True when the failure was reported (the first one during initialisation).</returns>
    public static bool Report(Exception exception)
    {
        if (_runtime is not { } runtime || Interlocked.Exchange(ref _done, 1) == 1) return false;
        try
        {
            // The process is going down: this is the last thing it does, so it may block.
            runtime.InitErrorAsync(exception, CancellationToken.None).GetAwaiter().GetResult();
            return true;
        }
        catch (Exception reportFailure)
        {
            Console.Error.WriteLine($"Reporting the init error to the Lambda Runtime API failed: {reportFailure.Message}");
            return false;
        }
    }
}
