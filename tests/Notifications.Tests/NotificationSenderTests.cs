using Microsoft.Extensions.Options;
using Shop.Notifications.Worker.Sending;

namespace Shop.Notifications.Tests;

/// <summary>Which sender <c>Notifications:Sender</c> selects, and what the SMTP sender writes, without an SMTP server.</summary>
[Trait("Category", "NoTransport")]
public sealed class The_notification_sender : IDisposable
{
    readonly string _pickup = Path.Combine(Path.GetTempPath(), $"shop-mail-{Guid.NewGuid():N}");

    [Fact]
    public void Should_store_notifications_in_the_database_by_default()
    {
        var services = Configure([]);

        Assert.Equal(typeof(DatabaseNotificationSender), SenderType(services));
    }

    [Fact]
    public void Should_mail_notifications_when_smtp_is_configured()
    {
        var services = Configure(new()
        {
            ["Notifications:Sender"] = "Smtp",
            ["Notifications:Smtp:Host"] = "mail.example.com",
            ["Notifications:Smtp:Port"] = "587",
            ["Notifications:Smtp:EnableSsl"] = "true",
            ["Notifications:Smtp:From"] = "orders@example.com",
        });

        Assert.Equal(typeof(SmtpNotificationSender), SenderType(services));
        var smtp = services.BuildServiceProvider().GetRequiredService<IOptions<NotificationSenderOptions>>().Value.Smtp;
        Assert.Equal(("mail.example.com", 587, true, "orders@example.com"), (smtp.Host, smtp.Port, smtp.EnableSsl, smtp.From));
    }

    [Fact]
    public void Should_refuse_a_sender_it_does_not_know()
    {
        var exception = Assert.Throws<InvalidOperationException>(() => Configure(new() { ["Notifications:Sender"] = "Carrier pigeon" }));

        Assert.Contains("Carrier pigeon", exception.Message);
    }

    [Fact]
    public async Task Should_write_a_mail_with_the_order_to_the_pickup_directory()
    {
        var provider = Configure(new()
        {
            ["Notifications:Sender"] = "Smtp",
            ["Notifications:Smtp:From"] = "orders@example.com",
            ["Notifications:Smtp:PickupDirectory"] = _pickup,
        }).BuildServiceProvider();
        var orderId = Guid.NewGuid();

        await provider.GetRequiredService<INotificationSender>().Send(
            new Notification(orderId, NotificationKinds.OrderCancelled, "grace@example.com", $"Your order {orderId} was cancelled", "Reason: card declined"),
            CancellationToken.None);

        var mail = await File.ReadAllTextAsync(Assert.Single(Directory.GetFiles(_pickup, "*.eml")));
        Assert.Contains("To: grace@example.com", mail);
        Assert.Contains("From: orders@example.com", mail);
        Assert.Contains($"Subject: Your order {orderId} was cancelled", mail);
        Assert.Contains($"{SmtpNotificationSender.OrderIdHeader}: {orderId}", mail);
        Assert.Contains("Reason: card declined", mail);
    }

    static ServiceCollection Configure(Dictionary<string, string?> settings)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddNotificationSender(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        return services;
    }

    static Type? SenderType(IServiceCollection services) =>
        Assert.Single(services, d => d.ServiceType == typeof(INotificationSender)).ImplementationType;

    public void Dispose()
    {
        if (Directory.Exists(_pickup))
            Directory.Delete(_pickup, recursive: true);
    }
}
