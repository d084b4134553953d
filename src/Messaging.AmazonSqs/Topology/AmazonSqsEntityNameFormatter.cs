using System.Collections.Concurrent;
using System.Text;
using MassTransit;

namespace Shop.Messaging.AmazonSqs.Topology;

/// <summary>
/// Topic names for message types in the shape MassTransit's SQS transport uses, so a service on the official
/// transport could share the wire: <c>Shop.Contracts.Orders.OrderSubmitted</c> → <c>Shop_Contracts_Orders-OrderSubmitted</c>.
/// Namespace dots and nested-type separators become '_', the namespace ends with '-', generic arguments sit between
/// '--' and are separated by '__' (SNS allows only letters, digits, '-' and '_').
/// </summary>
public sealed class AmazonSqsEntityNameFormatter : IEntityNameFormatter
{
    readonly ConcurrentDictionary<Type, string> _names = new();

    public string FormatEntityName<T>() => Format(typeof(T));

    public string Format(Type messageType) => _names.GetOrAdd(messageType, static type =>
    {
        var builder = new StringBuilder();
        if (!string.IsNullOrEmpty(type.Namespace))
            builder.Append(type.Namespace.Replace('.', '_')).Append('-');
        AppendTypeName(builder, type);
        return builder.ToString();
    });

    static void AppendTypeName(StringBuilder builder, Type type)
    {
        if (type.IsNested && type.DeclaringType is { } declaring)
        {
            // The declaring type of a constructed nested type is open: its arguments are listed with the nested type's.
            AppendTypeName(builder, declaring);
            builder.Append('_');
        }

        var name = type.Name;
        var tick = name.IndexOf('`');
        builder.Append(tick < 0 ? name : name[..tick]);

        if (!type.IsGenericType || type.IsGenericTypeDefinition) return;
        var arguments = type.GetGenericArguments();
        builder.Append("--");
        for (var i = 0; i < arguments.Length; i++)
        {
            if (i > 0) builder.Append("__");
            var argument = arguments[i];
            if (!string.IsNullOrEmpty(argument.Namespace))
                builder.Append(argument.Namespace.Replace('.', '_')).Append('-');
            AppendTypeName(builder, argument);
        }
        builder.Append("--");
    }
}
