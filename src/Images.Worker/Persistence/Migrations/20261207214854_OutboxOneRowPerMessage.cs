using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Shop.Messaging.EntityFrameworkCore.Storage;

#nullable disable

namespace Shop.Images.Worker.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class OutboxOneRowPerMessage : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "attempts",
                table: "outbox_message",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<DateTime>(
                name: "created",
                table: "outbox_message",
                type: "timestamp with time zone",
                nullable: false,
                defaultValue: new DateTime(1, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified));

            migrationBuilder.AddColumn<DateTime>(
                name: "due_time",
                table: "outbox_message",
                type: "timestamp with time zone",
                nullable: false,
                defaultValue: new DateTime(1, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified));

            migrationBuilder.AddColumn<string>(
                name: "last_error",
                table: "outbox_message",
                type: "character varying(2000)",
                maxLength: 2000,
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "schedule_token_id",
                table: "outbox_message",
                type: "uuid",
                nullable: true);

            // Pending messages keep their unit's due time, schedule token and attempts across the upgrade.
            migrationBuilder.Sql(DurableMessagingMigrations.CopyOutboxUnitsToMessages);

            migrationBuilder.DropForeignKey(
                name: "FK_outbox_message_outbox_state_outbox_id",
                table: "outbox_message");

            migrationBuilder.DropTable(
                name: "outbox_state");

            migrationBuilder.CreateIndex(
                name: "IX_outbox_message_due_time",
                table: "outbox_message",
                column: "due_time");

            migrationBuilder.CreateIndex(
                name: "IX_outbox_message_schedule_token_id",
                table: "outbox_message",
                column: "schedule_token_id",
                filter: "schedule_token_id IS NOT NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "outbox_state",
                columns: table => new
                {
                    outbox_id = table.Column<Guid>(type: "uuid", nullable: false),
                    attempts = table.Column<int>(type: "integer", nullable: false),
                    created = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    due_time = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    last_error = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    schedule_token_id = table.Column<Guid>(type: "uuid", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_outbox_state", x => x.outbox_id);
                });

            migrationBuilder.Sql(DurableMessagingMigrations.CopyMessagesToOutboxUnits);

            migrationBuilder.DropIndex(
                name: "IX_outbox_message_due_time",
                table: "outbox_message");

            migrationBuilder.DropIndex(
                name: "IX_outbox_message_schedule_token_id",
                table: "outbox_message");

            migrationBuilder.DropColumn(
                name: "attempts",
                table: "outbox_message");

            migrationBuilder.DropColumn(
                name: "created",
                table: "outbox_message");

            migrationBuilder.DropColumn(
                name: "due_time",
                table: "outbox_message");

            migrationBuilder.DropColumn(
                name: "last_error",
                table: "outbox_message");

            migrationBuilder.DropColumn(
                name: "schedule_token_id",
                table: "outbox_message");

            migrationBuilder.CreateIndex(
                name: "IX_outbox_state_due_time",
                table: "outbox_state",
                column: "due_time");

            migrationBuilder.CreateIndex(
                name: "IX_outbox_state_schedule_token_id",
                table: "outbox_state",
                column: "schedule_token_id");

            migrationBuilder.AddForeignKey(
                name: "FK_outbox_message_outbox_state_outbox_id",
                table: "outbox_message",
                column: "outbox_id",
                principalTable: "outbox_state",
                principalColumn: "outbox_id",
                onDelete: ReferentialAction.Cascade);
        }
    }
}
