using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Shop.Messaging.Composition;

public static class ComposedBusServiceCollectionExtensions
{
    /// <summary>
    /// Several services in one host on one bus: inside <paramref name="addServices"/>, each <c>AddShopMessaging</c> call
    /// (made by a service's own registration method) joins the bus registered here afterwards instead of registering its
    /// own. Each keeps its consumers, sagas and endpoint concerns, such as its own database for inbox, outbox and sagas.
    /// What belongs to the bus as a whole is the first service's (see <see cref="ShopMessagingBuilder.ForTheWholeBus"/>).
    /// </summary>
    public static IServiceCollection ComposeShopMessaging(this IServiceCollection services, IConfiguration configuration, Action addServices)
    {
        if (ShopMessagingComposition.Find(services) is not null)
            throw new InvalidOperationException("ComposeShopMessaging is already composing a bus for these services.");

        var composition = new ShopMessagingComposition();
        services.AddSingleton(composition);
        try
        {
            addServices();
        }
        finally
        {
            composition.Close();
        }

        if (composition.Services.Count == 0)
            throw new InvalidOperationException("ComposeShopMessaging: no service called AddShopMessaging.");

        var primary = composition.Services[0];
        primary.TryGetTransport(primary.Options.Transport, out var useTransport);
        return services.AddShopBus(configuration, composition.Services, useTransport, composition.Register);
    }
}
