import type { TickerPrice } from '../shared/binance.ts';

/**
 * One CloudWatch Embedded Metric Format record: metric `Price` with dimension `Symbol`. Each record carries
 * one value per dimension, so each symbol gets its own line.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 */
export function priceMetricRecord(namespace: string, price: TickerPrice, timestamp: number): string {
  return JSON.stringify({
    _aws: {
      Timestamp: timestamp,
      CloudWatchMetrics: [
        { Namespace: namespace, Dimensions: [['Symbol']], Metrics: [{ Name: 'Price', Unit: 'None' }] },
      ],
    },
    Symbol: price.symbol,
    Price: Number(price.price),
  });
}
