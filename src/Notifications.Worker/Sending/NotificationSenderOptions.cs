namespace Shop.Notifications.Worker.Sending;

/// <summary>The <c>Notifications</c> section.</summary>
public sealed class NotificationSenderOptions
{
    public const string SectionName = "Notifications";

    /// <summary><see cref="NotificationSenders.Database"/> (default) or <see cref="NotificationSenders.Smtp"/>.</summary>
    public string Sender { get; set; } = NotificationSenders.Database;

    public SmtpOptions Smtp { get; set; } = new();
}

public static class NotificationSenders
{
    public const string Database = "Database";
    public const string Smtp = "Smtp";
}

/// <summary>The <c>Notifications:Smtp</c> section.</summary>
public sealed class SmtpOptions
{
    public string Host { get; set; } = "127.0.0.1";
    public int Port { get; set; } = 25;
    public bool EnableSsl { get; set; }
    public string? Username { get; set; }
    public string? Password { get; set; }
    public string From { get; set; } = "Shop <orders@shop.local>";

    /// <summary>When set, mail is written as .eml files to this folder instead of being sent (development, tests).</summary>
    public string? PickupDirectory { get; set; }

    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);
}
