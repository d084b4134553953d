using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Shop.Messaging.Tests.Migrations
{
    /// <inheritdoc />
    public partial class KeyedEffects : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "keyed_effects",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    key = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_keyed_effects", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_keyed_effects_key",
                table: "keyed_effects",
                column: "key");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "keyed_effects");
        }
    }
}
