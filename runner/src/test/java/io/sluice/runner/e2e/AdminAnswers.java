package io.sluice.runner.e2e;

import java.util.List;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;

/** Keeps the body of every admin API answer a dashboard page receives, so a test can look for secrets in them. */
final class AdminAnswers {

    private AdminAnswers() {}

    /** From here on, the page keeps every answer its {@code fetch} calls receive. */
    static void record(WebDriver driver) {
        ((JavascriptExecutor) driver).executeScript("""
                window.__answers = [];
                const original = window.fetch;
                window.fetch = async (...args) => {
                  const response = await original(...args);
                  response.clone().text().then(text => window.__answers.push(text));
                  return response;
                };""");
    }

    /** The answers kept since {@link #record}. */
    @SuppressWarnings("unchecked")
    static List<String> recorded(WebDriver driver) {
        return (List<String>) ((JavascriptExecutor) driver).executeScript("return window.__answers;");
    }
}
