using System.Net;
using System.Net.Mail;
using Microsoft.Extensions.Options;
using Shop.Messaging;

namespace Shop.Notifications.Worker.Sending;

/// <summary>
/// Mails the notification. Mail leaves the transaction, so a failure after sending can repeat it: the inbox keeps
/// that to rare crashes, and at-least-once is the honest promise of any mail channel.
/// </summary>
public sealed class SmtpNotificationSender(IOptions<NotificationSenderOptions> options, ILogger<SmtpNotificationSender> logger) : INotificationSender
{
    public const string OrderIdHeader = "X-Shop-Order-Id";

    public async Task Send(Notification notification, CancellationToken cancellationToken)
    {
        var smtp = options.Value.Smtp;
        using var message = new MailMessage(new MailAddress(smtp.From), new MailAddress(notification.Recipient))
        {
            Subject = notification.Subject,
            Body = notification.Body,
            IsBodyHtml = false
        };
        message.Headers.Add(OrderIdHeader, notification.OrderId.ToString());

        using var client = CreateClient(smtp);
        try
        {
            await client.SendMailAsync(message, cancellationToken);
        }
        catch (SmtpException exception) when (exception is not SmtpFailedRecipientException)
        {
            // Server down or busy: worth another try. A rejected recipient is not, and goes to the error queue.
            throw new TransientException($"The SMTP server did not take notification {notification.Kind} for order {notification.OrderId}.", exception);
        }

        logger.LogDebug("Mailed notification {Kind} for order {OrderId} through {SmtpHost}",
            notification.Kind, notification.OrderId, smtp.PickupDirectory ?? smtp.Host);
    }

    static SmtpClient CreateClient(SmtpOptions smtp)
    {
        if (!string.IsNullOrWhiteSpace(smtp.PickupDirectory))
        {
            Directory.CreateDirectory(smtp.PickupDirectory);
            return new SmtpClient { DeliveryMethod = SmtpDeliveryMethod.SpecifiedPickupDirectory, PickupDirectoryLocation = smtp.PickupDirectory };
        }

        var client = new SmtpClient(smtp.Host, smtp.Port) { EnableSsl = smtp.EnableSsl, Timeout = (int)smtp.Timeout.TotalMilliseconds };
        if (!string.IsNullOrEmpty(smtp.Username))
            client.Credentials = new NetworkCredential(smtp.Username, smtp.Password);
        return client;
    }
}
