// Tests for SweepPlan: expansion order (grid outermost in file order, then sets, seeds innermost),
// run names (short keys, clashes, clean-up, uniqueness, length), and shards that partition the runs.

import XCTest
@testable import RNNExperiments

final class SweepPlanTests: XCTestCase {
    func testExpansionOrderAndNames() {
        let spec = SweepSpec(grid: [(key: "model.hidden_size", values: ["100", "200"]), (key: "model.tied", values: ["true", "false"])],
                             seeds: [1, 2])
        let runs = SweepPlan.expand(spec)
        XCTAssertEqual(runs.map(\.name), [
            "hidden_size=100,tied=true,seed=1", "hidden_size=100,tied=true,seed=2",
            "hidden_size=100,tied=false,seed=1", "hidden_size=100,tied=false,seed=2",
            "hidden_size=200,tied=true,seed=1", "hidden_size=200,tied=true,seed=2",
            "hidden_size=200,tied=false,seed=1", "hidden_size=200,tied=false,seed=2",
        ])
        XCTAssertEqual(runs.map(\.index), Array(0..<8))
        XCTAssertEqual(runs[5].overrides.map(\.assignment), ["model.hidden_size=200", "model.tied=true", "seed=2"])
        // The same spec always gives the same runs.
        XCTAssertEqual(SweepPlan.expand(spec), runs)
    }

    func testSetsComeAfterTheGridAndAnEmptySetAddsNothing() {
        let spec = SweepSpec(grid: [(key: "model.tied", values: ["true"])],
                             sets: [[], [Override(key: "training.clip", value: "1"), Override(key: "training.bptt", value: "full")]])
        XCTAssertEqual(SweepPlan.expand(spec).map(\.name), ["tied=true", "tied=true,clip=1,bptt=full"])
        XCTAssertEqual(SweepPlan.expand(SweepSpec()).map(\.name), ["base"])
        XCTAssertEqual(SweepPlan.expand(SweepSpec(seeds: [3])).map(\.name), ["seed=3"])
    }

    func testClashingShortKeysUseTheWholeKey() {
        let spec = SweepSpec(grid: [(key: "model.init.input.gain", values: ["1"]), (key: "model.init.recurrent.gain", values: ["2"]),
                                    (key: "training.optimizer.lr", values: ["0.5"])])
        XCTAssertEqual(SweepPlan.expand(spec).map(\.name), ["model.init.input.gain=1,model.init.recurrent.gain=2,lr=0.5"])
    }

    func testValuesAreCleanedAndNamesStayUniqueAndShort() {
        let spec = SweepSpec(grid: [(key: "training.optimizer", values: ["{name: adam, lr: 0.001}"]),
                                    (key: "data.unk", values: ["\"a/b\"", "a_b"])])
        let names = SweepPlan.expand(spec).map(\.name)
        XCTAssertEqual(names[0].hasPrefix("optimizer={name:adam,lr:0.001},unk=a_b~"), true, names[0])
        XCTAssertEqual(names[1].hasPrefix("optimizer={name:adam,lr:0.001},unk=a_b~"), true, names[1])
        XCTAssertNotEqual(names[0], names[1])
        XCTAssertFalse(names.contains { $0.contains("/") || $0.contains(" ") })

        let long = SweepSpec(grid: [(key: "description", values: [String(repeating: "x", count: 300)])])
        let name = SweepPlan.expand(long)[0].name
        XCTAssertLessThanOrEqual(name.utf8.count, SweepPlan.maxNameBytes)
        XCTAssertTrue(name.hasPrefix("description=xxx"))
    }

    func testShardsPartitionTheRunsExactly() {
        let spec = SweepSpec(grid: [(key: "a", values: ["1", "2", "3"]), (key: "b", values: ["x", "y"])], seeds: [1, 2, 3])
        let runs = SweepPlan.expand(spec)
        XCTAssertEqual(runs.count, 18)
        for count in [1, 2, 3, 4, 5, 7, 18, 25] {
            var seen: [Int: Int] = [:]
            var sizes: [Int] = []
            for shard in 1...count {
                let part = SweepPlan.shard(runs, shard: shard, of: count)
                sizes.append(part.count)
                for r in part { seen[r.index, default: 0] += 1 }
                XCTAssertEqual(part.map(\.index), part.map(\.index).sorted(), "a shard keeps the sweep's order")
            }
            XCTAssertEqual(seen.count, runs.count, "every run in some shard (N = \(count))")
            XCTAssertTrue(seen.values.allSatisfy { $0 == 1 }, "every run in exactly one shard (N = \(count))")
            XCTAssertLessThanOrEqual(sizes.max()! - sizes.min()!, 1, "shards differ by at most one run (N = \(count))")
        }
    }

    func testShardParsing() {
        XCTAssertEqual(SweepShard(parsing: "2/4"), SweepShard(index: 2, count: 4))
        XCTAssertEqual(SweepShard(parsing: "1/1"), SweepShard(index: 1, count: 1))
        for bad in ["0/4", "5/4", "2", "2/", "/4", "a/b", "2/4/1", "-1/4", "1/0"] {
            XCTAssertNil(SweepShard(parsing: bad), bad)
        }
    }

    func testThreadsPerRunNeverOversubscribes() {
        XCTAssertEqual(SweepExecutor.threadsPerRun(jobs: 1, cores: 8), 8)
        XCTAssertEqual(SweepExecutor.threadsPerRun(jobs: 3, cores: 8), 2)
        XCTAssertEqual(SweepExecutor.threadsPerRun(jobs: 2, cores: 2), 1)
        XCTAssertEqual(SweepExecutor.threadsPerRun(jobs: 4, cores: 2), 1)
    }

    func testAffinityMaskCount() {
        XCTAssertEqual(UsableCores.affinityCount(procStatus: "Name:\tx\nCpus_allowed:\t3\nCpus_allowed_list:\t0-1\n"), 2)
        XCTAssertEqual(UsableCores.affinityCount(procStatus: "Cpus_allowed:\tff,00000001\n"), 9)
        XCTAssertNil(UsableCores.affinityCount(procStatus: "Name:\tx\n"))
        XCTAssertNil(UsableCores.affinityCount(procStatus: "Cpus_allowed:\tzz\n"))
        XCTAssertGreaterThanOrEqual(UsableCores.count, 1)
    }
}
