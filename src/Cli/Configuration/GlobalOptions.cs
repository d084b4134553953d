using System.CommandLine;

namespace Shop.Cli.Configuration;

/// <summary>The options every verb takes: where the bus is (overriding appsettings and <c>Messaging__*</c>) and the output format.</summary>
public static class GlobalOptions
{
    public static readonly Option<string?> Transport = new("--transport")
    {
        Description = "RabbitMq or AmazonSqs (default: Messaging:Transport, else RabbitMq)",
        Recursive = true,
    };

    public static readonly Option<string?> RabbitMqUrl = new("--rabbitmq-url")
    {
        Description = "amqp://user:password@host:port/vhost (default: Messaging:RabbitMq:Url)",
        Recursive = true,
    };

    public static readonly Option<string?> RabbitMqManagementUrl = new("--rabbitmq-management-url")
    {
        Description = "the management HTTP API, http://user:password@host:15672 (default: the AMQP host on port 15672)",
        Recursive = true,
    };

    public static readonly Option<string?> SqsServiceUrl = new("--sqs-service-url")
    {
        Description = "an SQS/SNS-compatible endpoint such as fauxqs (default: Messaging:AmazonSqs:ServiceUrl, else AWS)",
        Recursive = true,
    };

    public static readonly Option<string?> Region = new("--region")
    {
        Description = "AWS region (default: Messaging:AmazonSqs:Region, else the SDK's region chain)",
        Recursive = true,
    };

    public static readonly Option<string?> Prefix = new("--prefix")
    {
        Description = "SQS/SNS name prefix of the environment (default: Messaging:AmazonSqs:Prefix)",
        Recursive = true,
    };

    public static readonly Option<string?> Settings = new("--settings")
    {
        Description = "an appsettings.json to read (default: ./appsettings.json when present)",
        Recursive = true,
    };

    public static readonly Option<OutputFormat> Output = new("--output", "-o")
    {
        Description = "table (default) or json, for scripts",
        Recursive = true,
        DefaultValueFactory = _ => OutputFormat.Table,
    };

    public static void AddTo(RootCommand root)
    {
        foreach (var option in new Option[] { Transport, RabbitMqUrl, RabbitMqManagementUrl, SqsServiceUrl, Region, Prefix, Settings, Output })
            root.Options.Add(option);
    }
}

public enum OutputFormat
{
    Table,
    Json,
}
