using MyDocker.Cli.Output;

namespace MyDocker.UnitTests.Cli;

public class TableTests
{
    [Fact]
    public void ColumnsArePaddedByThreeWithDockersMinimumWidthAndNoTrailingSpaces()
    {
        var table = new Table("A", "LONGER HEADER", "LAST");
        table.AddRow("x", "y", "");
        table.AddRow("a-very-long-cell", null, "z");
        Assert.Equal(
            "A" + new string(' ', 18) + "LONGER HEADER   LAST\n" +
            "x" + new string(' ', 18) + "y\n" +
            "a-very-long-cell   " + new string(' ', 16) + "z\n",
            table.ToString());
    }

    [Fact]
    public void RowWithWrongCellCountIsRejected()
    {
        var table = new Table("A", "B");
        Assert.Throws<ArgumentException>(() => table.AddRow("only one"));
    }
}
