using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Shop.Messaging.EntityFrameworkCore.Storage;

#nullable disable

namespace Shop.Notifications.Worker.Persistence.SqliteMigrations
{
    /// <inheritdoc />
    public partial class OutboxOneRowPerMessage : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            foreach (var sql in DurableMessagingMigrations.SqliteUp)
                migrationBuilder.Sql(sql);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            foreach (var sql in DurableMessagingMigrations.SqliteDown)
                migrationBuilder.Sql(sql);
        }
    }
}
