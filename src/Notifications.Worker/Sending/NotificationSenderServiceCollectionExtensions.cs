using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Shop.Notifications.Worker.Sending;

public static class NotificationSenderServiceCollectionExtensions
{
    /// <summary>The <see cref="INotificationSender"/> named by <c>Notifications:Sender</c>; an unknown name fails at start-up.</summary>
    public static IServiceCollection AddNotificationSender(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(NotificationSenderOptions.SectionName);
        var options = section.Get<NotificationSenderOptions>() ?? new NotificationSenderOptions();
        services.Configure<NotificationSenderOptions>(section);
        services.TryAddSingleton(TimeProvider.System);

        if (string.Equals(options.Sender, NotificationSenders.Database, StringComparison.OrdinalIgnoreCase))
            services.AddScoped<INotificationSender, DatabaseNotificationSender>();
        else if (string.Equals(options.Sender, NotificationSenders.Smtp, StringComparison.OrdinalIgnoreCase))
            services.AddSingleton<INotificationSender, SmtpNotificationSender>();
        else
        {
            throw new InvalidOperationException(
                $"Notifications:Sender is '{options.Sender}'; use {NotificationSenders.Database} or {NotificationSenders.Smtp}.");
        }

        return services;
    }
}
