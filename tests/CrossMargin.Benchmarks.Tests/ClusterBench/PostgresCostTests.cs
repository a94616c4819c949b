using CrossMargin.Benchmarks.ClusterBench;

namespace CrossMargin.Benchmarks.Tests.ClusterBench;

public sealed class PostgresCostTests
{
    // pg_waldump --stats=record of PostgreSQL 15 over one INSERT into the lease table after a checkpoint, as printed.
    private const string Dump = """
        WAL statistics between 0/44870DC0 and 0/44870F58:
        Type                                           N      (%)          Record size      (%)             FPI size      (%)        Combined size      (%)
        ----                                           -      ---          -----------      ---             --------      ---        -------------      ---
        Transaction/COMMIT                             1 ( 33.33)                   34 ( 24.11)                    0 (  0.00)                   34 (  8.56)
        Heap/INSERT                                    1 ( 33.33)                   54 ( 38.30)                  176 ( 68.75)                  230 ( 57.93)
        Btree/INSERT_LEAF                              1 ( 33.33)                   53 ( 37.59)                   80 ( 31.25)                  133 ( 33.50)
                                                --------                      --------                      --------                      --------
        Total                                          3                           141 [35.52%]                  256 [64.48%]                  397 [100%]
        """;

    [Fact]
    public void Each_record_type_line_of_a_waldump_is_read_with_its_count_and_sizes_and_the_total_is_not_a_type()
    {
        var types = PostgresCost.WalTypes(Dump);

        Assert.Equal(
            [("Transaction/COMMIT", 1L, 34L, 0L, 34L), ("Heap/INSERT", 1L, 54L, 176L, 230L), ("Btree/INSERT_LEAF", 1L, 53L, 80L, 133L)],
            types);
        // The three types sum to the dump's own Total line: 3 records, 141 + 256 = 397 bytes.
        Assert.Equal(397L, types.Sum(t => t.Combined));
    }
}
