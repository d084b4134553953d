using Microsoft.EntityFrameworkCore;

namespace Shop.Messaging.EntityFrameworkCore.Storage;

public static class ModelBuilderExtensions
{
    /// <summary>Adds the inbox and outbox tables (the outbox serves the scheduler too) to a service's own model, so they share its transactions.</summary>
    public static ModelBuilder AddDurableMessaging(this ModelBuilder modelBuilder, string? schema = null)
    {
        modelBuilder.Entity<InboxState>(inbox =>
        {
            inbox.ToTable("inbox_state", schema);
            inbox.HasKey(x => new { x.MessageId, x.ConsumerId });
            inbox.Property(x => x.MessageId).HasColumnName("message_id");
            inbox.Property(x => x.ConsumerId).HasColumnName("consumer_id");
            inbox.Property(x => x.Received).HasColumnName("received");
            inbox.Property(x => x.ReceiveCount).HasColumnName("receive_count");
            inbox.Property(x => x.Consumed).HasColumnName("consumed");
            inbox.HasIndex(x => x.Consumed);
        });

        modelBuilder.Entity<OutboxMessage>(message =>
        {
            message.ToTable("outbox_message", schema);
            message.HasKey(x => new { x.OutboxId, x.SequenceNumber });
            message.Property(x => x.OutboxId).HasColumnName("outbox_id");
            message.Property(x => x.SequenceNumber).HasColumnName("sequence_number").ValueGeneratedNever();
            message.Property(x => x.Created).HasColumnName("created");
            message.Property(x => x.DueTime).HasColumnName("due_time");
            message.Property(x => x.ScheduleTokenId).HasColumnName("schedule_token_id");
            message.Property(x => x.Attempts).HasColumnName("attempts");
            message.Property(x => x.LastError).HasColumnName("last_error").HasMaxLength(2000);
            message.HasIndex(x => x.DueTime);
            // Only schedules have a token: an index of every row would take an entry per message for nothing.
            message.HasIndex(x => x.ScheduleTokenId).HasFilter("schedule_token_id IS NOT NULL");
            message.Ignore(x => x.Unit);
            message.Property(x => x.MessageId).HasColumnName("message_id");
            message.Property(x => x.ContentType).HasColumnName("content_type").HasMaxLength(256);
            message.Property(x => x.MessageType).HasColumnName("message_type");
            message.Property(x => x.Body).HasColumnName("body");
            message.Property(x => x.Headers).HasColumnName("headers");
            message.Property(x => x.Properties).HasColumnName("properties");
            message.Property(x => x.ConversationId).HasColumnName("conversation_id");
            message.Property(x => x.CorrelationId).HasColumnName("correlation_id");
            message.Property(x => x.InitiatorId).HasColumnName("initiator_id");
            message.Property(x => x.RequestId).HasColumnName("request_id");
            message.Property(x => x.SourceAddress).HasColumnName("source_address").HasMaxLength(256);
            message.Property(x => x.DestinationAddress).HasColumnName("destination_address").HasMaxLength(256);
            message.Property(x => x.ResponseAddress).HasColumnName("response_address").HasMaxLength(256);
            message.Property(x => x.FaultAddress).HasColumnName("fault_address").HasMaxLength(256);
            message.Property(x => x.SentTime).HasColumnName("sent_time");
            message.Property(x => x.ExpirationTime).HasColumnName("expiration_time");
        });

        return modelBuilder;
    }
}
