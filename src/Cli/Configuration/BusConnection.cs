using System.CommandLine;
using Microsoft.Extensions.Configuration;
using Shop.Messaging;

namespace Shop.Cli.Configuration;

/// <summary>
/// Where the bus is, read the way the services read it: <c>appsettings.json</c>, then <c>Messaging__*</c>
/// environment variables, then the command line's options. AWS credentials come from the SDK's chain unless the
/// configuration holds static keys (local emulators only).
/// </summary>
public sealed record BusConnection(IConfiguration Configuration, MessagingOptions Options, Uri? RabbitMqManagementUrl)
{
    public bool IsAmazonSqs => string.Equals(Options.Transport, MessagingTransports.AmazonSqs, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// This connection, for a verb that talks to the broker. Checked here rather than on reading, so that verbs that only
    /// read databases or the API work with a standalone host's settings (transport <c>InMemory</c>) in the directory.
    /// </summary>
    public BusConnection RequireBroker() =>
        Options.Transport is MessagingTransports.RabbitMq or MessagingTransports.AmazonSqs
            ? this
            : throw new CliException(ExitCodes.Usage,
                $"The transport '{Options.Transport}' lives inside one process and cannot be reached from outside; use --transport RabbitMq or AmazonSqs.");

    public static BusConnection From(ParseResult parse)
    {
        var overrides = new Dictionary<string, string?>();
        void Override(Option<string?> option, string key)
        {
            if (parse.GetValue(option) is { Length: > 0 } value)
                overrides[key] = value;
        }

        Override(GlobalOptions.Transport, "Messaging:Transport");
        Override(GlobalOptions.RabbitMqUrl, "Messaging:RabbitMq:Url");
        Override(GlobalOptions.SqsServiceUrl, "Messaging:AmazonSqs:ServiceUrl");
        Override(GlobalOptions.Region, "Messaging:AmazonSqs:Region");
        Override(GlobalOptions.Prefix, "Messaging:AmazonSqs:Prefix");

        var settings = parse.GetValue(GlobalOptions.Settings);
        if (settings is not null && !File.Exists(settings))
            throw new CliException(ExitCodes.Usage, $"--settings: '{settings}' does not exist.");

        var configuration = new ConfigurationBuilder()
            .AddJsonFile(Path.GetFullPath(settings ?? "appsettings.json"), optional: settings is null)
            .AddEnvironmentVariables()
            .AddInMemoryCollection(overrides)
            .Build();

        var options = configuration.GetSection(MessagingOptions.SectionName).Get<MessagingOptions>() ?? new MessagingOptions();
        if (new[] { MessagingTransports.RabbitMq, MessagingTransports.AmazonSqs }
                .FirstOrDefault(name => name.Equals(options.Transport, StringComparison.OrdinalIgnoreCase)) is { } transport)
        {
            options.Transport = transport;
            configuration["Messaging:Transport"] = transport;
        }

        var management = parse.GetValue(GlobalOptions.RabbitMqManagementUrl) ?? configuration["Messaging:RabbitMq:ManagementUrl"];
        return new BusConnection(configuration, options, management is null ? DefaultManagementUrl(options.RabbitMq) : new Uri(management));
    }

    public string RabbitMqVirtualHost => RabbitMqHostSettingsFactory.Create(Options.RabbitMq).VirtualHost;

    /// <summary>The management plug-in on its usual port of the AMQP host, with the same credentials.</summary>
    static Uri DefaultManagementUrl(RabbitMqOptions rabbit)
    {
        var host = RabbitMqHostSettingsFactory.Create(rabbit);
        return new UriBuilder(host.Ssl ? "https" : "http", host.Host, host.Ssl ? 15671 : 15672)
            { UserName = Uri.EscapeDataString(host.Username), Password = Uri.EscapeDataString(host.Password) }.Uri;
    }
}
