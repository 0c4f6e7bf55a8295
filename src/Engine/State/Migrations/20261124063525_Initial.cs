using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace MyDocker.Engine.State.Migrations
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "IpamCursors",
                columns: table => new
                {
                    PoolId = table.Column<string>(type: "TEXT", nullable: false),
                    Address = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_IpamCursors", x => x.PoolId);
                });

            migrationBuilder.CreateTable(
                name: "IpamLeases",
                columns: table => new
                {
                    PoolId = table.Column<string>(type: "TEXT", nullable: false),
                    Address = table.Column<long>(type: "INTEGER", nullable: false),
                    OwnerId = table.Column<string>(type: "TEXT", nullable: false),
                    Since = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_IpamLeases", x => new { x.PoolId, x.Address });
                });

            migrationBuilder.CreateTable(
                name: "Networks",
                columns: table => new
                {
                    Id = table.Column<string>(type: "TEXT", nullable: false),
                    Name = table.Column<string>(type: "TEXT", nullable: false),
                    Driver = table.Column<string>(type: "TEXT", nullable: false),
                    Subnet = table.Column<string>(type: "TEXT", nullable: false),
                    Gateway = table.Column<string>(type: "TEXT", nullable: false),
                    IpRange = table.Column<string>(type: "TEXT", nullable: true),
                    Bridge = table.Column<string>(type: "TEXT", nullable: false),
                    Internal = table.Column<bool>(type: "INTEGER", nullable: false),
                    Created = table.Column<DateTimeOffset>(type: "TEXT", nullable: false),
                    Phase = table.Column<int>(type: "INTEGER", nullable: false),
                    OptionsJson = table.Column<string>(type: "TEXT", nullable: false),
                    LabelsJson = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Networks", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Networks_Bridge",
                table: "Networks",
                column: "Bridge",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Networks_Name",
                table: "Networks",
                column: "Name",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "IpamCursors");

            migrationBuilder.DropTable(
                name: "IpamLeases");

            migrationBuilder.DropTable(
                name: "Networks");
        }
    }
}
