using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace MyDocker.Engine.State.Migrations
{
    /// <inheritdoc />
    public partial class ContainerEndpoints : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "ContainerEndpoints",
                columns: table => new
                {
                    ContainerId = table.Column<string>(type: "TEXT", nullable: false),
                    NetworkId = table.Column<string>(type: "TEXT", nullable: false),
                    Position = table.Column<int>(type: "INTEGER", nullable: false),
                    InterfaceIndex = table.Column<int>(type: "INTEGER", nullable: false),
                    IpAddress = table.Column<string>(type: "TEXT", nullable: true),
                    MacAddress = table.Column<string>(type: "TEXT", nullable: true),
                    AliasesJson = table.Column<string>(type: "TEXT", nullable: false),
                    StaticIp = table.Column<string>(type: "TEXT", nullable: true),
                    Phase = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ContainerEndpoints", x => new { x.ContainerId, x.NetworkId });
                });

            migrationBuilder.CreateIndex(
                name: "IX_ContainerEndpoints_ContainerId_InterfaceIndex",
                table: "ContainerEndpoints",
                columns: new[] { "ContainerId", "InterfaceIndex" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_ContainerEndpoints_NetworkId",
                table: "ContainerEndpoints",
                column: "NetworkId");

            // Each container's one network, address and MAC become its eth0 endpoint (Position 0, the primary; Phase 0,
            // Attached), before the columns that held them go.
            migrationBuilder.Sql(
                "INSERT INTO ContainerEndpoints (ContainerId, NetworkId, Position, InterfaceIndex, IpAddress, MacAddress, AliasesJson, StaticIp, Phase) " +
                "SELECT Id, NetworkId, 0, 0, IpAddress, MacAddress, '[]', NULL, 0 FROM Containers;");

            migrationBuilder.DropIndex(
                name: "IX_Containers_NetworkId",
                table: "Containers");

            migrationBuilder.DropColumn(
                name: "IpAddress",
                table: "Containers");

            migrationBuilder.DropColumn(
                name: "MacAddress",
                table: "Containers");

            migrationBuilder.DropColumn(
                name: "NetworkId",
                table: "Containers");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "IpAddress",
                table: "Containers",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "MacAddress",
                table: "Containers",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "NetworkId",
                table: "Containers",
                type: "TEXT",
                nullable: false,
                defaultValue: "");

            migrationBuilder.CreateIndex(
                name: "IX_Containers_NetworkId",
                table: "Containers",
                column: "NetworkId");

            // Back to one network per container: its primary endpoint.
            migrationBuilder.Sql(
                "UPDATE Containers SET (NetworkId, IpAddress, MacAddress) = " +
                "(SELECT e.NetworkId, e.IpAddress, e.MacAddress FROM ContainerEndpoints e WHERE e.ContainerId = Containers.Id ORDER BY e.Position LIMIT 1);");

            migrationBuilder.DropTable(
                name: "ContainerEndpoints");
        }
    }
}
