using System.Collections.Concurrent;
using System.Text;
using MassTransit;

namespace Shop.Messaging.AmazonSqs.Topology;

/// <summary>
/// Topic names for message types by the rules of MassTransit's SQS transport (its <c>AmazonSqsMessageNameFormatter</c>),
/// so that a service on the official transport shares the topics: <c>Shop.Contracts.Orders.OrderSubmitted</c> →
/// <c>Shop_Contracts_Orders-OrderSubmitted</c>. Namespace dots become '_' and the namespace ends with '-'; a nested type
/// follows its declaring type after '_'; generic arguments sit between '--', separated by '__', and an argument (or a
/// declaring type) in the same namespace as the type that holds it is written without its namespace.
/// <c>[EntityName]</c> is not read here: MassTransit's message topology applies it before asking the formatter.
/// </summary>
public sealed class AmazonSqsEntityNameFormatter : IEntityNameFormatter
{
    readonly ConcurrentDictionary<Type, string> _names = new();

    public string FormatEntityName<T>() => Format(typeof(T));

    public string Format(Type messageType) => _names.GetOrAdd(messageType, static type =>
    {
        if (type.IsGenericTypeDefinition)
            throw new ArgumentException($"An open generic type ({type}) has no topic name.", nameof(messageType));
        var builder = new StringBuilder();
        Append(builder, type, enclosingNamespace: null);
        return builder.ToString();
    });

    static void Append(StringBuilder builder, Type type, string? enclosingNamespace)
    {
        if (type.IsGenericParameter)
            return;

        var ns = type.Namespace?.Replace('.', '_');
        if (ns is not null && ns != enclosingNamespace)
            builder.Append(ns).Append('-');

        if (type.IsNested && type.DeclaringType is { } declaring)
        {
            // The declaring type of a constructed nested type is open: its arguments are listed with the nested type's.
            Append(builder, declaring, ns);
            builder.Append('_');
        }

        if (!type.IsGenericType)
        {
            builder.Append(type.Name);
            return;
        }

        var name = type.GetGenericTypeDefinition().Name;
        var tick = name.IndexOf('`');
        builder.Append(tick > 0 ? name[..tick] : name).Append("--");
        var arguments = type.GetGenericArguments();
        for (var i = 0; i < arguments.Length; i++)
        {
            if (i > 0) builder.Append("__");
            Append(builder, arguments[i], ns);
        }
        builder.Append("--");
    }
}
