using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Shop.Images.Worker.Persistence.SqliteMigrations
{
    /// <inheritdoc />
    public partial class InitialCreate : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "image_metadata",
                columns: table => new
                {
                    image_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    format = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    width = table.Column<int>(type: "INTEGER", nullable: false),
                    height = table.Column<int>(type: "INTEGER", nullable: false),
                    camera_make = table.Column<string>(type: "TEXT", maxLength: 1024, nullable: true),
                    camera_model = table.Column<string>(type: "TEXT", maxLength: 1024, nullable: true),
                    captured_at = table.Column<DateTime>(type: "timestamp without time zone", nullable: true),
                    exposure_time_seconds = table.Column<double>(type: "REAL", nullable: true),
                    f_number = table.Column<double>(type: "REAL", nullable: true),
                    iso = table.Column<int>(type: "INTEGER", nullable: true),
                    focal_length_mm = table.Column<double>(type: "REAL", nullable: true),
                    orientation = table.Column<int>(type: "INTEGER", nullable: true),
                    latitude = table.Column<double>(type: "REAL", nullable: true),
                    longitude = table.Column<double>(type: "REAL", nullable: true),
                    tags = table.Column<string>(type: "jsonb", nullable: false),
                    extracted_at = table.Column<DateTimeOffset>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_image_metadata", x => x.image_id);
                });

            migrationBuilder.CreateTable(
                name: "inbox_state",
                columns: table => new
                {
                    message_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    consumer_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    received = table.Column<DateTime>(type: "TEXT", nullable: false),
                    receive_count = table.Column<int>(type: "INTEGER", nullable: false),
                    consumed = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_inbox_state", x => new { x.message_id, x.consumer_id });
                });

            migrationBuilder.CreateTable(
                name: "outbox_state",
                columns: table => new
                {
                    outbox_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    created = table.Column<DateTime>(type: "TEXT", nullable: false),
                    due_time = table.Column<DateTime>(type: "TEXT", nullable: false),
                    schedule_token_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    attempts = table.Column<int>(type: "INTEGER", nullable: false),
                    last_error = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_outbox_state", x => x.outbox_id);
                });

            migrationBuilder.CreateTable(
                name: "outbox_message",
                columns: table => new
                {
                    outbox_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    sequence_number = table.Column<long>(type: "INTEGER", nullable: false),
                    message_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    content_type = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    message_type = table.Column<string>(type: "TEXT", nullable: false),
                    body = table.Column<string>(type: "TEXT", nullable: false),
                    headers = table.Column<string>(type: "TEXT", nullable: true),
                    properties = table.Column<string>(type: "TEXT", nullable: true),
                    conversation_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    correlation_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    initiator_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    request_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    source_address = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    destination_address = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    response_address = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    fault_address = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    sent_time = table.Column<DateTime>(type: "TEXT", nullable: false),
                    expiration_time = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_outbox_message", x => new { x.outbox_id, x.sequence_number });
                    table.ForeignKey(
                        name: "FK_outbox_message_outbox_state_outbox_id",
                        column: x => x.outbox_id,
                        principalTable: "outbox_state",
                        principalColumn: "outbox_id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_inbox_state_consumed",
                table: "inbox_state",
                column: "consumed");

            migrationBuilder.CreateIndex(
                name: "IX_outbox_state_due_time",
                table: "outbox_state",
                column: "due_time");

            migrationBuilder.CreateIndex(
                name: "IX_outbox_state_schedule_token_id",
                table: "outbox_state",
                column: "schedule_token_id");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "image_metadata");

            migrationBuilder.DropTable(
                name: "inbox_state");

            migrationBuilder.DropTable(
                name: "outbox_message");

            migrationBuilder.DropTable(
                name: "outbox_state");
        }
    }
}
