// Tests for the lazy plan and random search: run i decoded from i (also in a 4.1-billion-run
// grid, without computing the others), shards computed on demand, the same runs as the full
// expansion, random samples reproducible from the seed and independent of the number of
// samples, drawn within their ranges; and the Slurm helpers (time limits, array ranges).

import Foundation
import XCTest
@testable import RNNExperiments
import RNNYAML

final class SweepPlanLazyTests: XCTestCase {
    func testRunsAreDecodedFromTheirIndexInAHugeGrid() {
        let values = (1...40).map(String.init)
        let keys = ["a.k1", "a.k2", "a.k3", "a.k4", "a.k5", "a.k6"]
        let plan = SweepPlan(SweepSpec(grid: keys.map { (key: $0, values: values) }))
        XCTAssertEqual(plan.count, 4_096_000_000)
        XCTAssertEqual(plan[0].name, "k1=1,k2=1,k3=1,k4=1,k5=1,k6=1")
        XCTAssertEqual(plan[plan.count - 1].name, "k1=40,k2=40,k3=40,k4=40,k5=40,k6=40")
        // 40^5 + 2·40 + 3 → digits (1, 0, 0, 0, 2, 3): values 2, 1, 1, 1, 3, 4.
        XCTAssertEqual(plan[102_400_000 + 83].name, "k1=2,k2=1,k3=1,k4=1,k5=3,k6=4")
        let shard = plan.shard(7, of: 1000)
        XCTAssertEqual(shard.count, 4_096_000)
        XCTAssertEqual(shard[1].index, 1006)
        XCTAssertEqual(shard[shard.count - 1].index, 4_095_999_006)
    }

    func testTheLazyPlanMatchesAFullExpansionAndItsShards() {
        let spec = SweepSpec(grid: [(key: "a", values: ["1", "2", "3"]), (key: "b", values: ["x", "y"])],
                             sets: [[], [Override(key: "c", value: "1")]], seeds: [1, 2])
        let plan = SweepPlan(spec)
        let all = Array(plan)
        XCTAssertEqual(all.count, 24)
        XCTAssertEqual(all.map(\.index), Array(0..<24))
        XCTAssertEqual(Set(all.map(\.name)).count, 24)
        XCTAssertEqual(all[5].name, "a=1,b=y,seed=2")
        XCTAssertEqual(all[7].name, "a=1,b=y,c=1,seed=2")
        for count in [1, 5, 24, 30] {
            for s in 1...count {
                XCTAssertEqual(Array(plan.shard(s, of: count)), SweepPlan.shard(all, shard: s, of: count), "\(s)/\(count)")
            }
        }
    }

    func testAnOverflowingGridCountsAsIntMax() {
        let values = (1...1000).map(String.init)
        let plan = SweepPlan(SweepSpec(grid: (1...7).map { (key: "k\($0)", values: values) }))
        XCTAssertEqual(plan.count, Int.max)
    }

    private func random(samples: Int, seed: UInt64 = 3) -> RandomSearch {
        RandomSearch(samples: samples, seed: seed, keys: [
            .init(key: "training.optimizer.lr", distribution: .logUniform(0.1, 20)),
            .init(key: "training.clip", distribution: .uniform(0.5, 5)),
            .init(key: "training.bptt", distribution: .intUniform(10, 12)),
            .init(key: "model.hidden_size", distribution: .choice(["128", "256", "512"])),
        ])
    }

    func testRandomSamplesAreReproducibleAndIndependentOfTheirNumber() {
        let few = SweepPlan(SweepSpec(random: random(samples: 3), seeds: [1, 2]))
        let many = SweepPlan(SweepSpec(random: random(samples: 50), seeds: [1, 2]))
        XCTAssertEqual(Array(few), Array(many.prefix(6)))
        XCTAssertEqual(Array(few), Array(SweepPlan(SweepSpec(random: random(samples: 3), seeds: [1, 2]))))
        XCTAssertNotEqual(Array(few).map(\.overrides), Array(SweepPlan(SweepSpec(random: random(samples: 3, seed: 4), seeds: [1, 2]))).map(\.overrides))
        XCTAssertTrue(few[0].name.hasPrefix("sample=1,lr="), few[0].name)
        XCTAssertTrue(few[0].name.hasSuffix(",seed=1"), few[0].name)
        XCTAssertEqual(few[0].overrides.dropLast(), few[1].overrides.dropLast(), "seeds repeat one sample")
    }

    func testRandomValuesStayInTheirRangesAndCoverThem() {
        let r = random(samples: 2000)
        var bptt = Set<String>(), sizes = Set<String>()
        var logs: [Double] = []
        for k in 0..<r.samples {
            let o = r.sample(k)
            let lr = Double(o[0].value)!, clip = Double(o[1].value)!
            XCTAssertTrue((0.1...20).contains(lr), o[0].value)
            XCTAssertTrue((0.5...5).contains(clip), o[1].value)
            XCTAssertLessThanOrEqual(o[0].value.filter(\.isNumber).drop { $0 == "0" }.count, 4, o[0].value)
            logs.append(log10(lr))
            bptt.insert(o[2].value)
            sizes.insert(o[3].value)
        }
        XCTAssertEqual(bptt, ["10", "11", "12"])
        XCTAssertEqual(sizes, ["128", "256", "512"])
        // Log-uniform: about as many below 1 as the share of the log range below 1 (1/2.3).
        let below = Double(logs.filter { $0 < 0 }.count) / Double(logs.count)
        XCTAssertEqual(below, 1 / log10(200), accuracy: 0.05)
    }

    func testRealsAreWrittenWithFourSignificantDigits() {
        XCTAssertEqual(RandomSearch.real(3.14159, within: 0.1, 20), "3.142")
        XCTAssertEqual(RandomSearch.real(0.000123456, within: 0.0001, 1), "0.0001235")
        XCTAssertEqual(RandomSearch.real(19.99996, within: 0.1, 20), "20.0")
        XCTAssertEqual(RandomSearch.real(0.5, within: 0.1, 20), "0.5")
        // Rounding would leave the range: all digits.
        XCTAssertEqual(RandomSearch.real(0.123421, within: 0.12342, 0.2), "0.123421")
    }

    func testSlurmTimeLimitsAndArrayRanges() {
        for ok in ["30", "30:00", "1:30:00", "2-12", "2-12:30", "2-12:30:00", "infinite"] { XCTAssertTrue(SlurmSettings.isTimeLimit(ok), ok) }
        for bad in ["90m", "1h", "", "1:2:3:4", "-5", "2-", "1.5", "a-1"] { XCTAssertFalse(SlurmSettings.isTimeLimit(bad), bad) }
        for ok in ["4000", "4G", "500M", "1t"] { XCTAssertTrue(SlurmSettings.isMemory(ok), ok) }
        for bad in ["4GB", "G", "", "1.5G"] { XCTAssertFalse(SlurmSettings.isMemory(bad), bad) }

        let root = FileManager.default.temporaryDirectory.appendingPathComponent("slurmsub-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let plan = SweepPlan(SweepSpec(seeds: Array(1...10)))
        let all = SlurmSubmission(runs: plan, root: root, shards: 4, settings: SlurmSettings(parallelism: 2))
        XCTAssertEqual(all.taskIDs, [1, 2, 3, 4])
        XCTAssertEqual(all.arraySpec, "1-4%2")
        XCTAssertEqual(all.unfinishedRuns, 10)
        var some = all
        some.taskIDs = [1, 3, 4, 6]
        XCTAssertEqual(some.arraySpec, "1,3-4,6%2")
    }
}
