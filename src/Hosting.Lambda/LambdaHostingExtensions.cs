using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Shop.Hosting.Lambda;

public static class LambdaHostingExtensions
{
    /// <summary>
    /// Makes the worker a Lambda function when Lambda started it (<c>AWS_LAMBDA_RUNTIME_API</c> is set), and does
    /// nothing otherwise: the SQS endpoints stop polling and take the records of each invocation instead. Call it before
    /// the worker's own registration, which reads the messaging settings.
    /// </summary>
    public static IHostApplicationBuilder AddLambdaHost(this IHostApplicationBuilder builder)
    {
        if (builder.Configuration[LambdaRuntimeClient.EndpointVariable] is not { Length: > 0 } endpoint)
            return builder;

        var runtime = LambdaRuntimeClient.Create(endpoint);
        LambdaInitErrors.Watch(runtime);

        if (!string.Equals(builder.Configuration["Messaging:Transport"], "AmazonSqs", StringComparison.OrdinalIgnoreCase))
            throw new InvalidOperationException(
                $"The Lambda host is fed by SQS event sources and needs Messaging:Transport=AmazonSqs, not '{builder.Configuration["Messaging:Transport"]}'.");

        // The event source mapping receives and deletes: the endpoints only take what each invocation brings.
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Messaging:AmazonSqs:Poll"] = "false" });

        builder.Services.AddSingleton(runtime);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddOptions<LambdaHostOptions>().BindConfiguration(LambdaHostOptions.SectionName);
        builder.Services.AddSingleton<SqsBatchProcessor>();
        builder.Services.AddHostedService<LambdaHostService>();
        return builder;
    }
}
