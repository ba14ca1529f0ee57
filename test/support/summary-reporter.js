// Prints one plain closing line, `tests: N passed, N failed, N skipped`, that CI tooling reads.
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    const failedSuites = results.numFailedTestSuites + results.numRuntimeErrorTestSuites;
    process.stdout.write(
      `\ntests: ${results.numPassedTests} passed, ${results.numFailedTests + (failedSuites > 0 && results.numFailedTests === 0 ? failedSuites : 0)} failed, ${skipped} skipped\n`,
    );
  }
}
module.exports = SummaryReporter;
