using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Shop.Orders.Api.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class ImageProcessingStateMachine : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterColumn<string>(
                name: "status",
                table: "images",
                type: "character varying(32)",
                maxLength: 32,
                nullable: false,
                oldClrType: typeof(string),
                oldType: "character varying(16)",
                oldMaxLength: 16);

            migrationBuilder.CreateTable(
                name: "image_processing_state",
                columns: table => new
                {
                    correlation_id = table.Column<Guid>(type: "uuid", nullable: false),
                    current_state = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    sku = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    blob_key = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    content_type = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    format = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    size_bytes = table.Column<long>(type: "bigint", nullable: false),
                    thumbnails_state = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    thumbnails_reason = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    thumbnails_attempt = table.Column<int>(type: "integer", nullable: false),
                    thumbnails_timeout_token_id = table.Column<Guid>(type: "uuid", nullable: true),
                    metadata_state = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    metadata_reason = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    metadata_attempt = table.Column<int>(type: "integer", nullable: false),
                    metadata_timeout_token_id = table.Column<Guid>(type: "uuid", nullable: true),
                    answered_branches = table.Column<int>(type: "integer", nullable: false),
                    run = table.Column<int>(type: "integer", nullable: false),
                    started_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    completed_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_image_processing_state", x => x.correlation_id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_image_processing_state_sku",
                table: "image_processing_state",
                column: "sku");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "image_processing_state");

            migrationBuilder.AlterColumn<string>(
                name: "status",
                table: "images",
                type: "character varying(16)",
                maxLength: 16,
                nullable: false,
                oldClrType: typeof(string),
                oldType: "character varying(32)",
                oldMaxLength: 32);
        }
    }
}
