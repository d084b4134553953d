using System.Net.Security;
using MassTransit;
using MassTransit.RabbitMqTransport.Configuration;

namespace Shop.Messaging;

/// <summary>
/// The broker connection from <see cref="RabbitMqOptions"/>, read by MassTransit's own host configurator
/// (scheme, host, port, virtual host, escaped user and password), with two choices of ours on top: <c>amqps://</c>
/// means TLS whatever the port (MassTransit turns it on only for 5671), and TLS verifies the broker's certificate
/// completely (MassTransit accepts an untrusted chain by default, which lets anyone in the path pose as the broker).
/// </summary>
public static class RabbitMqHostSettingsFactory
{
    public static RabbitMqHostSettings Create(RabbitMqOptions options)
    {
        var configurator = string.IsNullOrWhiteSpace(options.Url)
            ? new RabbitMqHostConfigurator(options.Host, options.VirtualHost, options.Port)
            : new RabbitMqHostConfigurator(new Uri(options.Url));

        // Separate settings win over the URL's user info, so a URL without secrets can sit next to a password from a
        // secret store or an environment variable.
        if (!string.IsNullOrEmpty(options.Username))
            configurator.Username(options.Username);
        else if (string.IsNullOrEmpty(configurator.Settings.Username))
            configurator.Username("guest");
        if (!string.IsNullOrEmpty(options.Password))
            configurator.Password(options.Password);
        else if (string.IsNullOrEmpty(configurator.Settings.Password))
            configurator.Password("guest");

        if (UsesTls(options) || configurator.Settings.Ssl)
        {
            configurator.UseSsl(ssl =>
            {
                ssl.EnforcePolicyErrors(SslPolicyErrors.RemoteCertificateChainErrors | SslPolicyErrors.RemoteCertificateNameMismatch |
                                        SslPolicyErrors.RemoteCertificateNotAvailable);
                if (!string.IsNullOrWhiteSpace(options.TlsServerName))
                    ssl.ServerName = options.TlsServerName;
            });
        }

        return configurator.Settings;
    }

    static bool UsesTls(RabbitMqOptions options) =>
        string.IsNullOrWhiteSpace(options.Url)
            ? options.UseTls
            : new Uri(options.Url).Scheme.Equals("amqps", StringComparison.OrdinalIgnoreCase);
}
