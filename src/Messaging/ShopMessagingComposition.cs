using Microsoft.Extensions.DependencyInjection;

namespace Shop.Messaging;

/// <summary>
/// The services <c>ComposeShopMessaging</c> gathers onto one bus. It sits in the service collection while open, so
/// that each service's own <c>AddShopMessaging</c> call finds it and joins instead of registering a bus of its own.
/// </summary>
sealed class ShopMessagingComposition
{
    readonly List<ShopMessagingBuilder> _services = [];
    bool _closed;

    public IReadOnlyList<ShopMessagingBuilder> Services => _services;

    public void Add(ShopMessagingBuilder service) => _services.Add(service);

    public void Close() => _closed = true;

    public static ShopMessagingComposition? Find(IServiceCollection services) =>
        services.LastOrDefault(descriptor => descriptor.ServiceType == typeof(ShopMessagingComposition))?.ImplementationInstance
            is ShopMessagingComposition { _closed: false } open
            ? open
            : null;
}
