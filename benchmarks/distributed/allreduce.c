/*
 * The baseline of Gen.Distributed's all-reduce benchmark: the same MPI_Allreduce (float, MPI_SUM, in place on
 * MPI_COMM_WORLD) that MpiCommunicator.AllReduce makes, timed the same way as Gen.Benchmarks --distributed allreduce
 * (Distributed.cs): for each size, warm-up calls, then repetitions each started after MPI_Barrier and timed with
 * MPI_Wtime, a repetition's time being the slowest rank's (an MPI_MAX reduction of the elapsed times), and the median
 * of the repetitions reported. Rank 0 prints one JSON object per size. benchmarks/distributed/run.sh builds it with
 * mpicc and runs it under mpirun; it is not part of the .NET build. Before MPI_Init it sets glibc's malloc as
 * MpiCommunicator.Initialize does (NativeHeap.cs: Open MPI's per-call scratch buffers reused, not mapped afresh), so
 * the two sides differ only in the binding.
 */
#include <mpi.h>
#include <stdio.h>
#include <malloc.h>
#include <stdlib.h>

static int compare(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    int rank, size, dry = argc > 1 && argv[1][0] == 'd';
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    long long largest = dry ? (64LL << 10) : (256LL << 20);
    float *buffer = malloc((size_t)largest);
    double *times = malloc(1000 * sizeof(double));
    for (long long bytes = 4 << 10; bytes <= largest; bytes *= 4)
    {
        int count = (int)(bytes / sizeof(float));
        int warmup = dry ? 1 : bytes >= (64 << 20) ? 3 : bytes >= (1 << 20) ? 5 : 50;
        int repetitions = dry ? 3 : bytes >= (64 << 20) ? 10 : bytes >= (1 << 20) ? 30 : 300;
        for (int i = 0; i < count; i++)
        {
            buffer[i] = (float)((i % 1000) * 1e-3);
        }

        for (int i = 0; i < warmup + repetitions; i++)
        {
            MPI_Barrier(MPI_COMM_WORLD);
            double start = MPI_Wtime();
            MPI_Allreduce(MPI_IN_PLACE, buffer, count, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
            double elapsed = MPI_Wtime() - start;
            MPI_Allreduce(MPI_IN_PLACE, &elapsed, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
            if (i >= warmup)
            {
                times[i - warmup] = elapsed;
            }
        }

        qsort(times, repetitions, sizeof(double), compare);
        if (rank == 0)
        {
            printf("{\"Implementation\": \"C\", \"Ranks\": %d, \"Bytes\": %lld, \"Repetitions\": %d, \"MedianSeconds\": %.9e, \"MinSeconds\": %.9e}\n",
                   size, bytes, repetitions, times[repetitions / 2], times[0]);
            fflush(stdout);
        }
    }

    free(times);
    free(buffer);
    MPI_Finalize();
    return 0;
}
