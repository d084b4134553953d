using System.Net.Security;
using Xunit;

namespace Shop.Messaging.Tests;

/// <summary>How the broker settings reach MassTransit's host settings: its own URI reading, plus TLS that verifies.</summary>
public sealed class When_the_broker_is_configured
{
    const SslPolicyErrors AllErrors = SslPolicyErrors.RemoteCertificateChainErrors | SslPolicyErrors.RemoteCertificateNameMismatch |
                                      SslPolicyErrors.RemoteCertificateNotAvailable;

    [Fact]
    public void Should_read_host_port_virtual_host_and_credentials_from_an_amqp_url()
    {
        var settings = RabbitMqHostSettingsFactory.Create(new RabbitMqOptions { Url = "amqp://payments:s3cret@broker.internal:5673/shop" });

        Assert.Equal("broker.internal", settings.Host);
        Assert.Equal(5673, settings.Port);
        Assert.Equal("shop", settings.VirtualHost);
        Assert.Equal("payments", settings.Username);
        Assert.Equal("s3cret", settings.Password);
        Assert.False(settings.Ssl);
    }

    [Fact]
    public void Should_use_the_default_virtual_host_port_and_user_when_the_url_names_none()
    {
        var settings = RabbitMqHostSettingsFactory.Create(new RabbitMqOptions { Url = "amqp://localhost/" });

        Assert.Equal("/", settings.VirtualHost);
        Assert.Equal(5672, settings.Port);
        Assert.Equal(("guest", "guest"), (settings.Username, settings.Password));
    }

    [Fact]
    public void Should_unescape_the_user_the_password_and_the_virtual_host()
    {
        var settings = RabbitMqHostSettingsFactory.Create(new RabbitMqOptions
        {
            Url = "amqp://svc%40shop:p%40ss%3Aw%2Fo+rd%25@localhost/%2Fshop%20prod",
        });

        Assert.Equal("svc@shop", settings.Username);
        Assert.Equal("p@ss:w/o+rd%", settings.Password);
        Assert.Equal("/shop prod", settings.VirtualHost);
    }

    [Fact]
    public void Should_use_tls_on_5671_for_amqps_and_verify_the_certificate_completely()
    {
        var settings = RabbitMqHostSettingsFactory.Create(new RabbitMqOptions { Url = "amqps://u:p@broker.example.com/shop" });

        Assert.True(settings.Ssl);
        Assert.Equal(5671, settings.Port);
        Assert.Equal("broker.example.com", settings.SslServerName);
        Assert.Equal(SslPolicyErrors.None, settings.AcceptablePolicyErrors & AllErrors);
    }

    [Fact]
    public void Should_use_tls_for_amqps_on_any_port()
    {
        var settings = RabbitMqHostSettingsFactory.Create(new RabbitMqOptions { Url = "amqps://u:p@broker.example.com:15671/" });

        Assert.True(settings.Ssl);
        Assert.Equal(15671, settings.Port);
        Assert.Equal(SslPolicyErrors.None, settings.AcceptablePolicyErrors & AllErrors);
    }

    [Fact]
    public void Should_check_the_certificate_against_the_configured_server_name()
    {
        var settings = RabbitMqHostSettingsFactory.Create(new RabbitMqOptions
        {
            Url = "amqps://u:p@10.0.0.7/", TlsServerName = "rabbitmq.shop.internal",
        });

        Assert.Equal("rabbitmq.shop.internal", settings.SslServerName);
    }

    [Fact]
    public void Should_let_separate_credentials_win_over_the_url()
    {
        var settings = RabbitMqHostSettingsFactory.Create(new RabbitMqOptions
        {
            Url = "amqp://rabbitmq:5672/", Username = "orders", Password = "from-a-secret",
        });

        Assert.Equal("rabbitmq", settings.Host);
        Assert.Equal("orders", settings.Username);
        Assert.Equal("from-a-secret", settings.Password);
    }

    [Fact]
    public void Should_use_the_separate_settings_without_a_url()
    {
        var settings = RabbitMqHostSettingsFactory.Create(new RabbitMqOptions
        {
            Host = "mq", Port = 5671, VirtualHost = "shop", Username = "images", Password = "pw", UseTls = true,
        });

        Assert.Equal(("mq", 5671, "shop", "images", "pw"), (settings.Host, settings.Port, settings.VirtualHost, settings.Username, settings.Password));
        Assert.True(settings.Ssl);
        Assert.Equal(SslPolicyErrors.None, settings.AcceptablePolicyErrors & AllErrors);
    }

    [Fact]
    public void Should_refuse_a_scheme_that_is_not_amqp()
    {
        Assert.Throws<ArgumentException>(() => RabbitMqHostSettingsFactory.Create(new RabbitMqOptions { Url = "http://u:p@localhost/" }));
    }
}
