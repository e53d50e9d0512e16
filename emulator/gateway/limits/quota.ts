import type { QuotaModel } from '../../template/model.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * When the quota period holding `now` began (UTC): DAY at midnight; WEEK on the day `offset` (0 Sunday … 6
 * Saturday); MONTH on day `offset + 1` of the month.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-apigateway-usageplan-quotasettings.html
 */
export function quotaPeriodStart(quota: QuotaModel, now: number): number {
  const date = new Date(now);
  const midnight = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
  switch (quota.period) {
    case 'DAY':
      return midnight;
    case 'WEEK':
      return midnight - ((date.getUTCDay() - quota.offset + 7) % 7) * DAY_MS;
    case 'MONTH': {
      const thisMonth = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1 + quota.offset);
      return thisMonth <= now
        ? thisMonth
        : Date.UTC(date.getUTCFullYear(), date.getUTCMonth() - 1, 1 + quota.offset);
    }
  }
}
