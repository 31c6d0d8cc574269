/** The n-th Fibonacci number, deliberately naive: exponential time stands in for real CPU work. */
export function fib(n) {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
}
